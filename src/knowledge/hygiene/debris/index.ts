/**
 * Every debris detector, in the order they run: text detectors first (an earlier find wins where two
 * overlap), then unit detectors (the first that matches names the unit). To add a detector, write it
 * in the file of its kind, list it here, and give it fixtures in test/fixtures/hygiene-debris/<id>.json.
 */
import { chatLine } from "./chat.ts";
import type { DebrisDetector } from "./detector.ts";
import { attribute, brokenAttribute, cutTag, entity, shortcode, strayTag } from "./markup.ts";
import { breadcrumbTrail, cookieBanner, markupLeftover, navigationFragment, pageBoilerplate } from "./page.ts";
import { pathFragment } from "./paths.ts";

export const DETECTORS: readonly DebrisDetector[] = [
  chatLine,
  shortcode,
  strayTag,
  cutTag,
  brokenAttribute,
  attribute,
  pathFragment,
  entity,
  navigationFragment,
  markupLeftover,
  pageBoilerplate,
  breadcrumbTrail,
  cookieBanner,
];

export { findDebris, unitDebris, type DebrisDetector, type TextDetector, type UnitContext, type UnitDetector } from "./detector.ts";
