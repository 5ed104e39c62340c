import { useParams } from 'react-router';

import { useUser } from '@/features/auth/hooks/user-context';
import { JobDetailPage } from '@/features/jobs/components/job-detail-page';

export default function JobDetailRoute() {
  const { jobId } = useParams();
  const user = useUser();
  return <JobDetailPage key={jobId} jobId={Number(jobId)} canAct={user.role !== 'viewer'} />;
}
