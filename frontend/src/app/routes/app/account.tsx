import { PlaceholderPage } from './placeholder-page';

export default function AccountRoute() {
  return <PlaceholderPage page="users" icon="person-circle" />;
}
