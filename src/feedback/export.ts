/**
 * The teach records as a file of aliases that the operator moves into the knowledge folder, under version
 * control, until index building reads the records itself (see TaughtAlias in teach.ts).
 */
import { stringify } from "yaml";
import { SECTION_SEPARATOR, type TaughtAlias } from "./teach.ts";

/** The name the export is written under in DATA_DIR by default. */
export const ALIASES_FILE = "taught.aliases.yaml";

/**
 * The aliases file: document path → section heading path (joined with " › "; "" for the text before the
 * first heading) → phrases. Passages of one section share their section's entry, since a key names a
 * passage only until it is edited.
 */
export function aliasesYaml(aliases: readonly TaughtAlias[]): string {
  const tree: Record<string, Record<string, string[]>> = {};
  for (const alias of aliases) {
    const sections = (tree[alias.path] ??= {});
    const phrases = (sections[alias.section.join(SECTION_SEPARATOR)] ??= []);
    for (const phrase of alias.phrases) if (!phrases.some((p) => p.toLowerCase() === phrase.toLowerCase())) phrases.push(phrase);
  }
  const header = [
    "# Phrases operators taught the bot: each should find its document's section.",
    '# document path → section heading path ("" for the text before the first heading) → phrases.',
    "# Made by `npm run gaps -- --export-aliases` from the teach records; move it into the knowledge folder and commit it.",
  ];
  return header.join("\n") + "\n" + (aliases.length ? stringify(tree, { lineWidth: 0 }) : "{}\n");
}
