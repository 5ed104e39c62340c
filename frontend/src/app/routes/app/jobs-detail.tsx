import { PlaceholderPage } from './placeholder-page';

export default function JobDetailRoute() {
  return <PlaceholderPage page="jobs" icon="list-task" />;
}
