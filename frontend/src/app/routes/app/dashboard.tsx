import { PlaceholderPage } from './placeholder-page';

export default function DashboardRoute() {
  return <PlaceholderPage page="dashboard" icon="speedometer2" />;
}
