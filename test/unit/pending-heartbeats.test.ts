import { defaultPayloadConverter } from '@temporalio/common';
import { pendingHeartbeats } from '../../clients/pending-heartbeats';

describe('pendingHeartbeats', () => {
  it("decodes each pending activity's last heartbeat details, and leaves out those with none or with details it cannot read", () => {
    const description = {
      raw: {
        pendingActivities: [
          { activityType: { name: 'exportArchivePart' }, heartbeatDetails: { payloads: [defaultPayloadConverter.toPayload({ step: 'export', rows: 5 })] } },
          { activityType: { name: 'nodeStageFiles' } },
          { activityType: { name: 'nodeStageFiles' }, heartbeatDetails: { payloads: [] } },
          // An encoding no converter of this client knows.
          { activityType: { name: 'other' }, heartbeatDetails: { payloads: [{ metadata: { encoding: Buffer.from('binary/encrypted') }, data: Buffer.from([1, 2, 3]) }] } },
          { activityType: { name: 'verifyArchivePart' }, heartbeatDetails: { payloads: [defaultPayloadConverter.toPayload({ step: 'verify' })] } },
        ],
      },
    };
    expect(pendingHeartbeats(description as unknown as Parameters<typeof pendingHeartbeats>[0])).toEqual([
      { activity: 'exportArchivePart', details: { step: 'export', rows: 5 } },
      { activity: 'verifyArchivePart', details: { step: 'verify' } },
    ]);
    expect(pendingHeartbeats({ raw: {} } as unknown as Parameters<typeof pendingHeartbeats>[0])).toEqual([]);
  });
});
