// The image endpoints (Docker Engine API "Image" section).
import type { Router } from '../../server/router.js';
import type { ImageService } from '../../engine/images/image-service.js';

export function imageRoutes(router: Router, images: ImageService): void {
  void router;
  void images;
}
