import { PlaceholderPage } from './placeholder-page';

export default function MessagesRoute() {
  return <PlaceholderPage page="messages" icon="chat-dots" />;
}
