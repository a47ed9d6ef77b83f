/** Messages of /video and its jobs. */
export const core = {
  'error.unexpected': 'Something went wrong on our side. Please try again in a moment. (ref `{ref}`)',
  'error.guild_only':
    'This command works in a server where the bot is installed, not in DMs or private chats. Invite the bot to a server and try there.',
  'error.not_your_button': 'Only the member who asked for this video (or a moderator) can do that.',
  'error.job_not_found': 'That video is no longer known to the bot.',
  'error.already_started':
    'Your new video from this one has already started; this press was not counted and nothing more was charged. Its progress shows in its own reply.',
  'error.press_in_progress':
    'Your first press is still being handled, so this one was not counted and nothing was charged for it. The answer to the first one follows shortly.',

  'error.guild_not_enabled':
    "This bot is not enabled in this server, so it cannot make videos here. Nothing was charged. A server admin can ask the bot's operator to add this server.",
  'error.restarting': 'The bot is restarting. Please try again in a few seconds.',

  'validation.title': 'I could not start that video',
  'validation.footer': 'Nothing was charged. Change the options above and run /video again.',
  'validation.prompt_blank': 'The prompt is empty. Describe the scene, for example "a cat running across a sunny meadow".',
  'validation.prompt_too_long':
    'The prompt is {length} characters long (camera command included); the limit is {max}. Shorten it by {overCharacters}.',
  'validation.bad_choice': '`{value}` is not a valid {option}. Pick one of the listed choices.',
  'validation.resolution_duration': '1080p videos can only be 6 seconds long. Choose duration 6, or resolution 768p for 10 seconds.',
  'validation.fast_needs_image':
    'The Fast model needs a first frame. Attach an image with the `image` option, or use the MiniMax-Hailuo-2.3 model.',
  'validation.image_type': 'The first frame must be a JPG, PNG or WebP image (this one is `{contentType}`).',
  'validation.image_too_big': 'The first frame is {sizeMb} MB; it must be under 20 MB.',
  'validation.image_unknown_size': 'I could not read the size of that image. Please attach a JPG, PNG or WebP file.',
  'validation.image_too_small': 'The first frame is {width}×{height}; its short side must be over 300 pixels.',
  'validation.image_ratio': 'The first frame is {width}×{height}; its aspect ratio must be between 2:5 and 5:2.',
  'validation.image_mismatch': 'That attachment is not really a {contentType} image. Please attach a real JPG, PNG or WebP file.',
  'validation.camera_unknown': '`{name}` is not a camera move. Pick one from the list, for example "Push in" or "推进".',
  'validation.camera_too_many': 'You chose {count} camera moves; combine at most 3.',

  'button.regenerate': 'Regenerate',
  'button.delete': 'Delete',
  'button.deleted': 'The video was deleted.',

  'cmd.video.name': 'video',
  'cmd.video.description': 'Make a short video from a prompt with MiniMax Hailuo 2.3',
  'opt.prompt.name': 'prompt',
  'opt.prompt.description': 'What happens in the video (up to 2000 characters)',
  'opt.duration.name': 'duration',
  'opt.duration.description': 'Length of the video (default 6 seconds; 1080p allows 6 only)',
  'opt.resolution.name': 'resolution',
  'opt.resolution.description': 'Resolution (default 768p)',
  'opt.image.name': 'image',
  'opt.image.description': 'First frame: a JPG, PNG or WebP image (short side over 300 px)',
  'opt.camera.name': 'camera',
  'opt.camera.description': 'Camera move, e.g. Push in / 推进 (up to 3, separated by commas)',
  'opt.model.name': 'model',
  'opt.model.description': 'Model (default MiniMax-Hailuo-2.3; Fast needs an image)',
  'opt.prompt_optimizer.name': 'prompt_optimizer',
  'opt.prompt_optimizer.description': 'Let the service improve the prompt (default on)',
  'opt.fast_pretreatment.name': 'fast_pretreatment',
  'opt.fast_pretreatment.description': 'Shorter prompt optimization, slightly lower quality (default off)',
  'opt.watermark.name': 'watermark',
  'opt.watermark.description': 'Add a watermark (default off)',
  'choice.seconds': '{value} seconds',

  'stage.waiting': 'Waiting in line: the video service takes only so many requests a minute',
  'stage.queued': 'Queued',
  'stage.generating': 'Generating',
  'stage.finishing': 'Finishing',
  'progress.title': '🎬 Making your video',
  'progress.stage': 'Stage',
  'progress.asked': 'Asked',
  'progress.eta': 'Ready',
  'progress.eta_guess': 'Ready (estimate)',
  'progress.eta_value': '{relative}',
  'progress.eta_soon': 'any moment now',
  'progress.estimated_note': 'Progress is estimated from typical generation times.',
  'progress.params': 'Settings',
  'progress.job': 'Job `{jobId}`',
  'progress.requested_by': 'Requested by {user}',

  'param.summary': '{model} · {resolution} · {duration}s',
  'param.camera': 'camera {camera}',
  'param.image': 'first frame attached',
  'param.optimizer_off': 'prompt optimizer off',
  'param.fast_pretreatment': 'fast pretreatment',
  'param.watermark': 'watermark',

  'result.title': '✅ Your video is ready',
  'result.prompt': 'Prompt',
  'result.took': 'Took {duration}',
  'result.requested_for': '{mention}, your video is ready.',
  'result.link_note': "The file is too large to upload here, so here is the provider's link. It expires {expires}: download it soon.",
  'result.link_note_unknown':
    "The file is too large to upload here, so here is the provider's link. It expires in a few hours: download it soon.",
  'result.link_label': 'Download the video',
  'result.link_note_no_attach':
    "The bot may not upload files in this channel (it lacks Attach Files), so here is the provider's link. It expires {expires}: download it soon.",
  'result.link_note_no_attach_unknown':
    "The bot may not upload files in this channel (it lacks Attach Files), so here is the provider's link. It expires in a few hours: download it soon.",
  'result.link_too_long_plain':
    "The provider's link is too long for a plain message, and the bot may not post embeds here (it lacks Embed Links). Ask a server admin to give the bot Embed Links, then open /videos.",

  'failed.title': '❌ The video could not be made',
  'failed.provider': 'The video service could not make this video: {reason}',
  'failed.provider_unknown': 'The video service could not make this video and gave no reason. Try a different prompt.',
  'failed.invalid_request': 'The video service rejected the request: {reason}. Change the prompt or options and try again.',
  'failed.auth': "The bot's video service key is not working. Please tell a server admin; the bot operator needs to fix the key.",
  'failed.payment': "The bot's video service balance is empty. Please tell a server admin; the bot operator needs to top it up.",
  'failed.busy': 'The video service is busy right now. Please try again in a few minutes.',
  'failed.network': 'The video service could not be reached. Please try again in a few minutes.',
  'failed.expired': 'The video took too long and was given up after {duration}. Please try again.',
  'failed.image_expired': 'Your first-frame image is no longer available on Discord. Run /video again and attach the image.',
  'failed.image_unreachable':
    'Discord could not be reached to renew the link to your first-frame image. Please try again in a few minutes.',
  'failed.restarted': 'The bot restarted before your video was sent to the video service. Please run /video again.',
  'failed.no_video': 'The video service finished but returned no video. Please try again.',
  'failed.download':
    "The video was made, but the provider's file could not be downloaded, so it could not be posted here. The provider's link below may still work for a few hours.",
  'failed.download_gone':
    "The video was made, but the provider's file could not be downloaded: the provider no longer has it. Please try again.",
  'failed.download_link': "Try the provider's link",
  'failed.delivery': 'The video was made but could not be posted here on Discord. Please try again.',
  'failed.maybe_started':
    'The bot restarted just as your video was being sent to the video service, so it may or may not have started; you were not charged. If no video arrives, run /video again.',
  'failed.not_queued':
    'The bot could not put your video in line (its storage did not answer in time), so it was not started. Please try again in a moment.',
  'failed.not_acknowledged':
    "Discord did not accept the bot's answer to your request in time, so the video was not started; you were not charged. Please run /video again.",
  'failed.record_lost': 'The bot lost the record of this video (its storage was reset), so it cannot finish it. Please run /video again.',
  'failed.cancelled': 'Cancelled by {user} before it was sent to the video service.',
  'failed.cancelled_title': '🚫 Video cancelled',
  'failed.nothing_charged': 'Nothing was charged.',
  'failed.job': 'Job `{jobId}`',
} as const;
