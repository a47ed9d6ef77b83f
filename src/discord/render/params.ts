import type { JobRequest } from '../../jobs/job.js';
import type { Translator } from '../../i18n/index.js';
import { findCameraMove } from '../../video/camera.js';

/** One line with the request's settings, in the member's language. */
export function renderParams(request: JobRequest, t: Translator): string {
  const parts = [t('param.summary', { model: request.model, resolution: request.resolution, duration: request.duration })];
  if (request.camera.length > 0) {
    const names = request.camera.map((zh) => {
      const move = findCameraMove(zh);
      return move ? `${move.en} (${move.zh})` : zh;
    });
    parts.push(t('param.camera', { camera: names.join(' + ') }));
  }
  if (request.image) parts.push(t('param.image'));
  if (!request.promptOptimizer) parts.push(t('param.optimizer_off'));
  if (request.fastPretreatment) parts.push(t('param.fast_pretreatment'));
  if (request.watermark) parts.push(t('param.watermark'));
  return parts.join(' · ');
}
