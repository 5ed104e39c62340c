import { PlaceholderPage } from './placeholder-page';

export default function InstancesRoute() {
  return <PlaceholderPage page="instances" icon="whatsapp" />;
}
