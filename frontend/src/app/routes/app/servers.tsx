import { PlaceholderPage } from './placeholder-page';

export default function ServersRoute() {
  return <PlaceholderPage page="servers" icon="hdd-network" />;
}
