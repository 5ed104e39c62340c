// The servers to pick from: one query shared by every page that filters by server.
export {
  getServerOptions,
  getServerOptionsQueryOptions,
  type ServerOption,
  serverOptionsKey,
  useServerOptions,
} from '@/lib/server-options';
