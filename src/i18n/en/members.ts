/** Messages of what members control themselves: /videos, Animate image, Edit, Extend, the queue, Cancel. */
export const members = {
  'cmd.videos.name': 'videos',
  'cmd.videos.description': 'Your last videos in this server, newest first (only you see the list)',

  'videos.title': '🎞️ Your videos in this server',
  'videos.empty': 'You have no videos in this server yet. Make one with /video.',
  'videos.footer': 'Page {page} of {pages} · {total} videos · kept {days} days',
  'videos.open': 'Open',
  'videos.download': 'Download',
  'videos.link_expires': 'link expires {expires}',
  'videos.link_too_long': 'provider link: open the message',
  'videos.no_message': 'no message',
  'button.videos_prev': 'Newer',
  'button.videos_next': 'Older',

  'state.accepted': '⏳ Starting',
  'state.reserved': '⏳ Starting',
  'state.submitting': '⏳ Starting',
  'state.submitted': '🎬 Queued at the provider',
  'state.queued': '🎬 Queued at the provider',
  'state.processing': '🎬 Generating',
  'state.succeeded': '📦 Finishing',
  'state.delivered': '✅ Delivered',
  'state.failed': '❌ Failed',
  'state.expired': '⌛ Expired',
} as const;
