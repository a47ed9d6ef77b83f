import type { members as en } from '../en/members.js';

/** 成员自己掌控的功能：/我的视频、让图片动起来、编辑、延长、排队、取消。 */
export const members = {
  'cmd.videos.name': '我的视频',
  'cmd.videos.description': '你在本服务器最近生成的视频，最新的在前（列表仅你可见）',

  'videos.title': '🎞️ 你在本服务器的视频',
  'videos.empty': '你在本服务器还没有视频。用 /视频 生成一个吧。',
  'videos.footer': '第 {page}/{pages} 页 · 共 {total} 个视频 · 保留 {days} 天',
  'videos.open': '打开',
  'videos.download': '下载',
  'videos.link_expires': '链接 {expires} 失效',
  'videos.link_too_long': '服务商链接：请打开消息查看',
  'videos.no_message': '无消息',
  'button.videos_prev': '较新',
  'button.videos_next': '较早',

  'state.accepted': '⏳ 启动中',
  'state.reserved': '⏳ 启动中',
  'state.submitting': '⏳ 启动中',
  'state.submitted': '🎬 在服务商处排队',
  'state.queued': '🎬 在服务商处排队',
  'state.processing': '🎬 生成中',
  'state.succeeded': '📦 收尾中',
  'state.delivered': '✅ 已送达',
  'state.failed': '❌ 失败',
  'state.expired': '⌛ 已超时',
} as const satisfies Record<keyof typeof en, string>;
