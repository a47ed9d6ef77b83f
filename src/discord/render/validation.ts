import type { APIEmbed } from 'discord.js';
import { translatorFor } from '../../i18n/index.js';
import type { ValidationProblem } from '../../video/request.js';
import { cutCodePoints } from '../../text/code-points.js';
import { counted } from './format.js';

/** An ephemeral answer listing what to change, one line a problem. */
export function validationEmbed(problems: readonly ValidationProblem[], locale: string): APIEmbed {
  const t = translatorFor(locale);
  const lines = problems.map((problem) => {
    switch (problem.code) {
      case 'prompt_too_long':
        return t('validation.prompt_too_long', {
          length: problem.length,
          max: problem.max,
          overCharacters: counted(t, 'characters', problem.length - problem.max),
        });
      case 'bad_choice':
        return t('validation.bad_choice', {
          value: cutCodePoints(problem.value, 40).replace(/`/g, "'"),
          option: t(`opt.${problem.option}.name`),
        });
      case 'camera_unknown':
        return t('validation.camera_unknown', { name: cutCodePoints(problem.name, 50).replace(/`/g, "'") });
      case 'image_type':
      case 'image_mismatch':
        return t(`validation.${problem.code}`, { contentType: cutCodePoints(problem.contentType, 40).replace(/`/g, "'") });
      default: {
        const { code, ...params } = problem;
        return t(`validation.${code}`, params as Record<string, string | number>);
      }
    }
  });
  return {
    color: 0xfee75c,
    title: t('validation.title'),
    description: lines.map((line) => `• ${line}`).join('\n'),
    footer: { text: t('validation.footer') },
  };
}
