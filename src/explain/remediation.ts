/** Concrete next steps per cause, as copyable lines. The `report` command renders them at length. */
import { looksLikeBsn } from '../common/bsn.js';
import type { Collision } from './types.js';

export function remediationFor(c: Collision): string[] {
  const study = c.studyUid ?? c.key.value;
  switch (c.cause) {
    case 'phantom-from-failed-retrieve':
      return [
        `Remove the phantom study that holds PatientID '${c.oldValue}' (rows on MAG0.0 without files): dgate --deletestudy:${c.oldValue}:${study}`,
        `Then ask the sender to re-send study ${study} under '${c.refusedValue}', or retrieve it again through the router by the hospital PatientID.`,
        ...(looksLikeBsn(c.oldValue)
          ? [`'${c.oldValue}' is a BSN: make retrieves use the hospital PatientID; a RetrieveConverter0/QueryConverter0 that logs and rejects BSN-shaped PatientIDs prevents the next incident (cqlog report generates one).`]
          : []),
        'Check the move destination AE in acrnema.map (wildcards such as S*, V*, W* make typos look known).',
      ];
    case 'patient-id-changed-at-source':
      return [
        `The study is stored under '${c.oldValue}' and now arrives as '${c.refusedValue}': decide which PatientID is right with the sender.`,
        `If '${c.refusedValue}' is right, change the stored study (e.g. dgate --modifypatid or a merge in the web interface), or delete it (dgate --deletestudy:${c.oldValue}:${study}) and have it re-sent.`,
        `If '${c.oldValue}' is right, correct the PatientID at the sender and re-send.`,
      ];
    case 'series-reused-across-studies':
      return [
        `Series ${c.key.value} is stored in study ${c.oldValue} and arrives in study ${c.refusedValue}: ask the sender (modality or PACS) why it reused the series UID.`,
        'If the new study is right, delete the old series or study from the router and re-send.',
      ];
    case 'image-moved-across-series':
      return [
        `Image ${c.key.value} is stored in series ${c.oldValue} and arrives in series ${c.refusedValue}: the sender re-used a SOP instance UID.`,
        'If the new series is right, delete the old image or series from the router and re-send.',
      ];
    case 'unexplained':
      return [
        `Look up study ${study} in the router database: images on device MAG0.0 (MAGn.N) have no file and were made by a virtual-server retrieve.`,
        'Read older logs (logs/logs_*.zip) and, for the future, enable debug logging during retrieves so the PatientID of new virtual rows is logged.',
      ];
  }
}
