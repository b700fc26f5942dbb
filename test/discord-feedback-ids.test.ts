/**
 * The pure parts of feedback in Discord: vote, "tell us" and modal custom ids (round trips, the logged
 * question's id kept on paging buttons, anything else refused), and the modal and acknowledgements.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { decodeButton, decodeFeedbackModal, encodeButton, encodeFeedbackModal, type ButtonAction } from "../src/discord/custom-id.ts";
import { feedbackModal, renderNoMatch, renderVoted } from "../src/discord/format.ts";

const ASKER = "1200000000000000001";

describe("feedback custom ids", () => {
  const actions: [ButtonAction, string][] = [
    [{ kind: "vote", vote: "up", logId: 42 }, "kb1:vote:up:42"],
    [{ kind: "vote", vote: "down", logId: 999999999999999 }, "kb1:vote:down:999999999999999"],
    [{ kind: "tell", logId: 7 }, "kb1:tell:7"],
    [{ kind: "page", offset: 3, askerId: ASKER, logId: 12 }, `kb1:page:3:${ASKER}:12`],
    [{ kind: "full", key: "pNV5dzpTCogz", offset: 0, askerId: ASKER, logId: 12 }, `kb1:full:0:pNV5dzpTCogz:${ASKER}:12`],
    [{ kind: "page", offset: 0, askerId: ASKER }, `kb1:page:0:${ASKER}`],
  ];
  for (const [action, id] of actions) {
    test(`${id} round-trips`, () => {
      assert.equal(encodeButton(action), id);
      assert.deepEqual(decodeButton(id), action);
    });
  }

  test("malformed vote, tell and paging ids decode to nothing", () => {
    for (const id of [
      "kb1:vote:sideways:1",
      "kb1:vote:up:0",
      "kb1:vote:up:01",
      "kb1:vote:up:1:2",
      "kb1:tell:x",
      "kb1:tell",
      `kb1:page:0:${ASKER}:0`,
      `kb1:page:0:${ASKER}:1:2`,
      "kb1:vote:up:1234567890123456",
    ]) {
      assert.equal(decodeButton(id), undefined, id);
    }
  });

  test("a log id that is not a positive whole number is refused when encoding, naming it", () => {
    assert.throws(() => encodeButton({ kind: "vote", vote: "up", logId: 0 }), /^Error: encodeButton: logId 0 is not a whole number from 1 to 15 digits$/);
    assert.throws(() => encodeButton({ kind: "tell", logId: 1.5 }), /logId 1\.5 /);
  });

  test("the modal id carries its logged question, and nothing else decodes", () => {
    assert.equal(encodeFeedbackModal(5), "kb1:told:5");
    assert.equal(decodeFeedbackModal("kb1:told:5"), 5);
    for (const id of ["kb1:told:0", "kb1:tell:5", "x", "kb1:told:5:6"]) assert.equal(decodeFeedbackModal(id), undefined, id);
  });
});

describe("feedback replies", () => {
  test("the modal keeps within Discord's limits however long the feedback allowed", () => {
    const modal = feedbackModal(3, 10_000);
    const input = (modal.components[0] as { components: unknown[] } | undefined)?.components[0] as { max_length?: number; label: string; required?: boolean };
    assert.equal(input.max_length, 4000);
    assert.equal(input.required, false);
    assert.ok(modal.title.length <= 45 && input.label.length <= 45);
  });

  test("only 👎 offers to say what was missing", () => {
    assert.deepEqual(renderVoted("recorded", "up", 3).components, []);
    assert.deepEqual(
      renderVoted("changed", "down", 3).components.map((r) => r.components.map((b) => b.custom_id)),
      [["kb1:tell:3"]],
    );
    assert.deepEqual(renderVoted("unknown-question", "down", 3).components, []);
  });

  test("a no-match reply has vote buttons only when its question was logged", () => {
    assert.deepEqual(renderNoMatch().components, []);
    assert.deepEqual(
      renderNoMatch(9).components.map((r) => r.components.map((b) => b.custom_id)),
      [["kb1:vote:up:9", "kb1:vote:down:9"]],
    );
  });
});
