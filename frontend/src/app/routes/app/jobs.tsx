import { PlaceholderPage } from './placeholder-page';

export default function JobsRoute() {
  return <PlaceholderPage page="jobs" icon="list-task" />;
}
