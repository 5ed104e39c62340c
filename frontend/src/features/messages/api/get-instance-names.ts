// The instances' names: one query shared by every page that names instances.
export {
  getInstanceNamesQueryOptions,
  type InstanceOption,
  useInstanceNames,
} from '@/lib/instance-names';
