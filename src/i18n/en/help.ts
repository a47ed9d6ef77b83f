/** Messages of /help. */
export const help = {
  'cmd.help.name': 'help',
  'cmd.help.description': 'What this bot does: the /video options, camera moves, first frames and your quota',

  'help.title': '🎬 Hailuo Video Bot',
  'help.about':
    'I turn a prompt into a short video (6 or 10 seconds, 768p or 1080p) made by MiniMax Hailuo 2.3. Run **{video}** in a server where I am installed: I answer at once, show the progress in that reply and put the finished MP4 in it. A video that fails costs nothing.',
  'help.options.title': '{video} options',
  'help.options.line': '**{name}** — {description}',
  'help.options.required_line': '**{name}** — {description} (required)',

  'help.image.title': '🖼️ Start from your own picture',
  'help.image.body':
    'Attach an image with the **{image}** option and the video starts from it, following its aspect ratio. It must be a JPG, PNG or WebP file under 20 MB, its short side over 300 px and its aspect ratio between 2:5 and 5:2. The MiniMax-Hailuo-2.3-Fast model needs one.',

  'help.quota.title': '💳 Quota',
  'help.quota.guild': 'This server has {remaining} of {limitCredits} left {period}; they reset {resets}.',
  'help.quota.guild_member':
    'This server has {remaining} of {limitCredits} left {period} and you have {memberRemaining} of your {memberCredits}; they reset {resets}.',
  'help.quota.off': 'Video generation is turned off on this server.',
  'help.period.day': 'today',
  'help.period.week': 'this week',
  'help.period.month': 'this month',

  'help.camera.title': '🎥 Camera moves',
  'help.camera.intro':
    'Pick up to 3 in the **{camera}** option: it autocompletes in English and Chinese, e.g. `Pan left, Pedestal up`. They reach the video service as one bracket in front of your prompt, `[左摇,上升]`. Brackets you type in the prompt yourself are sent as typed: `a cat [左摇] looks around`.',
  'help.camera.line': '**{en}** {zh} — `[{zh}]{example}`',
  'help.camera.truck_left': 'a street musician playing on a busy sidewalk',
  'help.camera.truck_right': 'a row of colourful houses along a canal',
  'help.camera.pan_left': 'a lighthouse on a rocky coast at sunset',
  'help.camera.pan_right': 'a mountain valley full of morning mist',
  'help.camera.push_in': 'a cat walks toward the camera',
  'help.camera.pull_out': 'a lone tree in a vast snowy field',
  'help.camera.pedestal_up': 'a climber reaching the top of a cliff',
  'help.camera.pedestal_down': 'rain falling on a quiet city street',
  'help.camera.tilt_up': 'a giant redwood in a foggy forest',
  'help.camera.tilt_down': 'a waterfall pouring into a green pool',
  'help.camera.zoom_in': 'an owl on a branch at night',
  'help.camera.zoom_out': 'a small boat on a calm blue lake',
  'help.camera.shake': 'a jeep racing down a bumpy dirt road',
  'help.camera.tracking_shot': 'a dog running along the beach',
  'help.camera.static_shot': 'candles flickering on a dinner table',
} as const;
