/** A message the instances list shows once, e.g. after a deletion (router location state). */
export interface InstancesFlash {
  flash?: string;
}
