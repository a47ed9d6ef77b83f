import type { help as en } from '../en/help.js';

/** /help 的消息。 */
export const help = {
  'cmd.help.name': '帮助',
  'cmd.help.description': '机器人能做什么：/视频 选项、运镜指令、首帧图片和你的额度',

  'help.title': '🎬 海螺视频机器人',
  'help.about':
    '我会用 MiniMax 海螺 2.3 把你的提示词变成一段短视频（6 或 10 秒，768p 或 1080p）。在安装了我的服务器里运行 **{video}**：我会立即回复，在这条回复里显示进度，完成后把 MP4 放进同一条回复。生成失败的视频不扣额度。',
  'help.options.title': '{video} 选项',
  'help.options.line': '**{name}** — {description}',
  'help.options.required_line': '**{name}** — {description}（必填）',

  'help.image.title': '🖼️ 从你自己的图片开始',
  'help.image.body':
    '通过 **{image}** 选项附上一张图片，视频就会从这张图片开始，并沿用它的宽高比。图片须为 JPG、PNG 或 WebP 格式，小于 20 MB，短边大于 300 像素，宽高比在 2:5 到 5:2 之间。MiniMax-Hailuo-2.3-Fast 模型必须提供首帧。',

  'help.quota.title': '💳 额度',
  'help.quota.guild': '本服务器{period}还剩 {remaining}/{limitCredits}额度，将于 {resets} 重置。',
  'help.quota.guild_member':
    '本服务器{period}还剩 {remaining}/{limitCredits}额度，你还剩 {memberRemaining}/{memberCredits}，将于 {resets} 重置。',
  'help.quota.off': '本服务器已关闭视频生成。',
  'help.period.day': '今天',
  'help.period.week': '本周',
  'help.period.month': '本月',

  'help.camera.title': '🎥 运镜指令',
  'help.camera.intro':
    '在 **{camera}** 选项中最多选择 3 个：支持中英文自动补全，例如 `左摇, 上升`。它们会以一个方括号加在提示词前面发送给视频服务：`[左摇,上升]`。你在提示词里自己写的方括号会原样发送：`一只猫[左摇]四处张望`。',
  'help.camera.line': '**{zh}** {en} — `[{zh}]{example}`',
  'help.camera.truck_left': '繁忙人行道上演奏的街头艺人',
  'help.camera.truck_right': '运河边一排色彩鲜艳的房子',
  'help.camera.pan_left': '日落时岩石海岸上的灯塔',
  'help.camera.pan_right': '晨雾弥漫的山谷',
  'help.camera.push_in': '一只猫朝镜头走来',
  'help.camera.pull_out': '广阔雪原上的一棵孤树',
  'help.camera.pedestal_up': '攀岩者登上悬崖顶端',
  'help.camera.pedestal_down': '雨落在安静的城市街道上',
  'help.camera.tilt_up': '雾中森林里一棵巨大的红杉',
  'help.camera.tilt_down': '瀑布倾泻进碧绿的水潭',
  'help.camera.zoom_in': '夜里栖在树枝上的猫头鹰',
  'help.camera.zoom_out': '平静蓝色湖面上的一条小船',
  'help.camera.shake': '在颠簸土路上飞驰的吉普车',
  'help.camera.tracking_shot': '一只狗沿着海滩奔跑',
  'help.camera.static_shot': '餐桌上摇曳的烛光',
} as const satisfies Record<keyof typeof en, string>;
