import assert from "node:assert/strict";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, it } from "node:test";
import fc from "fast-check";
import { checkDocument, type BlockVerdict, type HygieneBlock } from "../src/knowledge/hygiene/index.ts";
import { hygieneCleaner } from "../src/knowledge/clean.ts";
import { patternMatches, readHygieneConfig, readHygienePatterns } from "../src/knowledge/hygiene-config.ts";
import { parseText } from "../src/knowledge/text.ts";
import { blocksOf } from "./hygiene-blocks.ts";

/** assert.ok with a message always: without one, node rebuilds the message from the transpiled source, which is very slow. */
function ok(value: unknown, message = "expected a truthy value"): void {
  assert.ok(value, message);
}

const FIXTURES = path.join(import.meta.dirname, "fixtures", "hygiene");

async function fixture(name: string): Promise<HygieneBlock[]> {
  return blocksOf(await readFile(path.join(FIXTURES, name), "utf8"));
}

function flaggedOf(verdicts: BlockVerdict[]): Array<{ line: number; text: string }> {
  return verdicts.flatMap((v) => v.flagged.map((f) => ({ line: f.line, text: f.text })));
}

function cleanedText(verdicts: BlockVerdict[]): string {
  return verdicts
    .map((v) => v.text)
    .filter(Boolean)
    .join("\n\n");
}

describe("hygiene: spliced fiction in a news article", () => {
  it("flags each injected span, with its line, and nothing of the article", async () => {
    const verdicts = checkDocument(await fixture("harbour-bridge.txt"));
    assert.deepEqual(flaggedOf(verdicts), [
      { line: 7, text: "and when the knight finally drew his sword, she felt the ground tremble beneath her feet" },
      { line: 9, text: "“You never told me you were leaving,” Elara whispered, turning away from the window. He sighed and pulled her closer." },
      { line: 13, text: 'Share on Facebook | Tweet <img src="/media/2024/bridge-night.jpg" alt=" Print this article class="share-link">' },
      { line: 15, text: "She slammed the door behind her and ran down the stairs into the rain" },
    ]);
  });

  it("keeps the sentence around a splice readable: no dangling dash or comma, sentence ends mended", async () => {
    const verdicts = checkDocument(await fixture("harbour-bridge.txt"));
    assert.equal(
      verdicts[2]!.text,
      "The bridge was designed by the engineering firm Halvorsen Partners. The deck rests on eleven concrete piers sunk forty metres into the seabed. Each pier is protected by a steel collar against ship impact.",
    );
    assert.equal(
      verdicts[3]!.text,
      "Traffic engineers expect about 24,000 vehicles a day in the first year. The bridge carries two lanes in each direction and a separate cycle path.",
    );
    assert.equal(
      verdicts[6]!.text,
      "Construction was delayed twice, first by a strike in 2021 and then by a shortage of steel. Since then the contractor has worked in three shifts to finish the deck before winter.",
    );
  });

  it("drops a paragraph that was only markup debris and share links", async () => {
    const verdicts = checkDocument(await fixture("harbour-bridge.txt"));
    assert.equal(verdicts[5]!.text, "");
    assert.match(verdicts[5]!.flagged[0]!.reason, /markup debris/);
  });

  it("keeps every fact and every official quote of the article", async () => {
    const text = cleanedText(checkDocument(await fixture("harbour-bridge.txt")));
    for (const fact of [
      "opened to traffic on Saturday morning",
      "Solberg said: “This bridge will shorten the daily commute of thirty thousand people.”",
      "412 million kroner",
      "eleven concrete piers",
      "24,000 vehicles a day",
      "toll of 40 kroner until 2030",
      "shortage of steel",
    ]) {
      ok(text.includes(fact), `missing: ${fact}`);
    }
    for (const fiction of ["knight", "Elara", "sighed", "slammed", "<img", "Tweet"]) ok(!text.includes(fiction), `left in: ${fiction}`);
  });

  it("removes first-person narration and a run of dialogue but keeps the fact between them", async () => {
    const verdicts = checkDocument(await fixture("hospital-wing.txt"));
    assert.deepEqual(flaggedOf(verdicts), [
      { line: 7, text: "I remember the smell of my grandmother’s kitchen on the night the wolves came down from the hills." },
      { line: 7, text: "“Don’t you dare open that door,” Marcus growled. He turned away, his jaw tight, and said nothing more." },
    ]);
    assert.equal(verdicts[2]!.text, "The day clinic has 22 treatment chairs and will open seven days a week from March.");
    // The director's quote attributed with "she said" is reporting, not fiction.
    ok(verdicts[1]!.text.includes("“Patients from the northern valleys no longer have to travel to the capital for treatment,” she said."));
  });

  it("removes web-novel dialogue, a doubled-comma splice and a source line of markup", async () => {
    const verdicts = checkDocument(await fixture("freight-railway.txt"));
    assert.deepEqual(flaggedOf(verdicts), [
      {
        line: 7,
        text: "Ye Chen raised his head and looked at the elder, his eyes burning with cold light. “You dare to lay a hand on my sect?” The elder sneered and flicked his sleeve.",
      },
      { line: 11, text: "Qin Yue did not expect that the man in front of her was the legendary young master of the Gu family" },
      { line: 13, text: '<p class="source">Source: Xinhua</p> img/2024/08/train.jpeg"> Editor: Li Na' },
    ]);
    assert.equal(
      verdicts[4]!.text,
      "The operator plans to open new routes to Southern Europe and to the Caspian region next year. Freight rates on the railway are expected to remain stable.",
    );
    ok(verdicts[2]!.text.includes("Goods on the trains include electronics"), verdicts[2]!.text);
  });

  it("removes narration without pronouns when it sits next to injected text", async () => {
    const verdicts = checkDocument(await fixture("waste-council.txt"));
    assert.deepEqual(flaggedOf(verdicts), [
      {
        line: 7,
        text: "Night fell over the valley. Tom pulled his collar up against the cold and wondered whether she would ever forgive him. Somewhere in the dark a dog barked twice.",
      },
      { line: 9, text: "Advertisement" },
    ]);
    assert.equal(
      verdicts[2]!.text,
      "Council member Ruth Adeyemi said the schedule follows the practice of neighbouring towns. Collection days for each street will be published on the city website.",
    );
  });

  it("removes entities, shortcodes, stray attributes and page furniture but keeps the sentences", async () => {
    const verdicts = checkDocument(await fixture("library-debris.txt"));
    assert.deepEqual(
      flaggedOf(verdicts).map((f) => f.text),
      [
        "&nbsp;",
        '[caption id="attachment_5521" align="aligncenter" width="600"]',
        "[/caption]",
        'width="600" height="400" />',
        "Read more: Library budget approved",
      ],
    );
    assert.deepEqual(
      verdicts.map((v) => v.text),
      [
        "The central library will open until 10 p.m. on weekdays from next month. The longer hours were requested by students during the exam period.",
        "The reading room of the central library.",
        "The library also plans to add 40 study desks on the second floor.",
        "Funding for the longer hours comes from the city's education budget. The library will review visitor numbers after six months.",
      ],
    );
  });

  it("lowercases a clause opener when the sentence before the cut goes on", () => {
    const blocks: HygieneBlock[] = [
      { kind: "prose", line: 1, section: [], text: "The water utility said the new filters remove 99 percent of microplastics from drinking water." },
      {
        kind: "prose",
        line: 3,
        section: [],
        text: "Utility chief Ana Brandt told reporters that when she opened her eyes, he was already gone and her heart sank——, The filters cost 3 million euros and were installed at the Eastside plant in May.",
      },
      { kind: "prose", line: 5, section: [], text: "The Eastside plant supplies drinking water to 80,000 households. The filters will be tested every month." },
    ];
    const verdicts = checkDocument(blocks);
    assert.deepEqual(flaggedOf(verdicts), [{ line: 3, text: "when she opened her eyes, he was already gone and her heart sank" }]);
    assert.equal(
      verdicts[1]!.text,
      "Utility chief Ana Brandt told reporters that the filters cost 3 million euros and were installed at the Eastside plant in May.",
    );
  });

  it("removes a line of dialogue that nobody in the article says", () => {
    const blocks: HygieneBlock[] = [
      {
        kind: "prose",
        line: 1,
        section: [],
        text: "The regional airport will add night flights to Lisbon, Riga and Tunis from October. The flights will leave after 11 p.m. three times a week.",
      },
      {
        kind: "prose",
        line: 3,
        section: [],
        text: "Airport manager Sven Dahl said the new slots were approved by the aviation authority in July. “Are you hungry? I made dumplings.” The airport expects 60,000 extra passengers a year from the new routes.",
      },
      {
        kind: "prose",
        line: 5,
        section: [],
        text: "Residents near the runway have complained about noise. The airport will pay for new windows in 140 homes, it said.",
      },
    ];
    const verdicts = checkDocument(blocks);
    assert.deepEqual(flaggedOf(verdicts), [{ line: 3, text: "“Are you hungry? I made dumplings.”" }]);
    assert.equal(
      verdicts[1]!.text,
      "Airport manager Sven Dahl said the new slots were approved by the aviation authority in July. The airport expects 60,000 extra passengers a year from the new routes.",
    );
  });

  it("removes an injected list item and keeps the other items on their lines", () => {
    const blocks: HygieneBlock[] = [
      { kind: "prose", line: 3, section: ["Billing"], text: "Usage is billed per request. The first 10,000 requests each month are free." },
      {
        kind: "list",
        line: 5,
        section: ["Billing"],
        text: "- Requests are counted per API key.\n- Failed requests are not billed.\n- Her lips trembled as she whispered his name into the dark.\n- Invoices are sent on the first day of each month.",
      },
    ];
    const verdicts = checkDocument(blocks);
    assert.deepEqual(flaggedOf(verdicts), [{ line: 5, text: "Her lips trembled as she whispered his name into the dark." }]);
    assert.equal(
      verdicts[1]!.text,
      "- Requests are counted per API key.\n- Failed requests are not billed.\n- Invoices are sent on the first day of each month.",
    );
  });

  it("removes a paragraph narrated in the present tense by an I beside a she", () => {
    const blocks: HygieneBlock[] = [
      {
        kind: "prose",
        line: 1,
        section: [],
        text: "The science museum opened a climate gallery on Friday. The gallery has 60 interactive exhibits on the museum's second floor.",
      },
      {
        kind: "prose",
        line: 3,
        section: [],
        text: "I open the window and the rain comes in. She is standing in the doorway again, saying nothing, and I pretend not to see her.",
      },
      {
        kind: "prose",
        line: 5,
        section: [],
        text: "Entry to the gallery is included in the museum ticket. School groups can book guided visits of the exhibits.",
      },
    ];
    const verdicts = checkDocument(blocks);
    assert.equal(verdicts[1]!.text, "");
    assert.deepEqual(verdicts[0]!.removed, []);
    assert.deepEqual(verdicts[2]!.removed, []);
  });

  it("gives each span the exact line it starts on in a hard-wrapped paragraph", () => {
    const verdicts = checkDocument([
      {
        kind: "prose",
        line: 10,
        section: [],
        text: "The museum reopens on Friday after a two-year renovation of its west wing and roof.",
        lineOffsets: [0, 41],
      },
      {
        kind: "prose",
        line: 12,
        section: [],
        text: "The renovation cost 12 million francs. The west wing now holds the museum's collection of clocks. “Kiss me,” she whispered, and I laughed at him.",
        lineOffsets: [0, 38, 97],
      },
    ]);
    assert.deepEqual(flaggedOf(verdicts), [{ line: 14, text: "“Kiss me,” she whispered, and I laughed at him." }]);
  });
});

describe("hygiene: real content stays", () => {
  // A guide written to "you" with code and tables, a short story, an interview full of "he said",
  // a book review that retells a plot with she/her, and news quoting people at length ("We can't
  // wait", "you'll notice"): each is judged against its own voice.
  for (const name of ["deploy-guide.md", "story.txt", "minister-interview.txt", "novel-review.txt", "flood-quotes.txt"]) {
    it(`flags nothing in ${name}`, async () => {
      const blocks = await fixture(name);
      const verdicts = checkDocument(blocks);
      assert.deepEqual(flaggedOf(verdicts), []);
      assert.deepEqual(
        verdicts.map((v) => v.text),
        blocks.map((b) => b.text),
      );
    });
  }

  it("never touches code blocks and tables, even full of markup and dialogue", () => {
    const code = '```html\n<div class="quote">“Stay,” she whispered.</div>\n<img src="a.png" alt="x">\n```';
    const table = '| Tag | Example |\n| --- | --- |\n| img | <img src="a.png"> |\n| quote | “Stay,” she whispered. |';
    const blocks: HygieneBlock[] = [
      { kind: "prose", line: 1, section: ["Markup"], text: "This page lists the HTML tags the site template uses." },
      { kind: "code", line: 3, section: ["Markup"], text: code },
      { kind: "table", line: 8, section: ["Markup"], text: table },
    ];
    const verdicts = checkDocument(blocks);
    assert.deepEqual(
      verdicts.map((v) => v.text),
      [blocks[0]!.text, code, table],
    );
  });

  it("keeps short factual sentences, list items and questions in a reference doc", () => {
    const blocks: HygieneBlock[] = [
      { kind: "prose", line: 1, section: ["Limits"], text: "Uploads are limited to 25 MB. Larger files are rejected. Why? Storage is billed per gigabyte." },
      { kind: "list", line: 3, section: ["Limits"], text: "- 25 MB per file\n- 500 files per folder\n- What happens at the limit?\n- Ask your admin for more" },
      { kind: "quote", line: 8, section: ["Limits"], text: "I raised our limit once and regretted it for a year." },
    ];
    assert.deepEqual(flaggedOf(checkDocument(blocks)), []);
  });

  it("keeps pronoun notes and Title Case expansions in reference lists", () => {
    const blocks: HygieneBlock[] = [
      { kind: "prose", line: 1, section: ["Team"], text: "These collaborators maintain the project and review pull requests." },
      {
        kind: "list",
        line: 3,
        section: ["Team"],
        text: "- jdoe - Jane Doe <jane@example.org> (she/her)\n- rroe - Richard Roe <rr@example.org> (he/him)\n- AFAIK: As Far As I Know.",
      },
    ];
    assert.deepEqual(flaggedOf(checkDocument(blocks)), []);
  });

  it("keeps a paragraph that quotes an official and names people found nowhere else", () => {
    const blocks: HygieneBlock[] = [
      {
        kind: "prose",
        line: 1,
        section: [],
        text: "The council approved the new cycling plan on Wednesday. The plan adds 40 kilometres of protected lanes by 2027.",
      },
      {
        kind: "prose",
        line: 3,
        section: [],
        text: "Councillor Priya Raman, who led the working group, said: “We listened to cyclists and to shop owners, and the plan reflects both.” Her deputy, Tomasz Wolny, said he expects the first lanes to open in spring.",
      },
      { kind: "prose", line: 5, section: [], text: "The cycling plan costs 18 million euros. The council will report on the lanes every year." },
    ];
    assert.deepEqual(flaggedOf(checkDocument(blocks)), []);
  });

  it("flags nothing in any mix of sentences from a clean article", () => {
    const sentences = [
      "The regional rail line reopened on Monday after a six-week closure.",
      "Engineers replaced 14 kilometres of track and two signal boxes.",
      "The operator said trains would run every 20 minutes at peak times.",
      "“We apologise to passengers for the disruption,” the operator's spokesperson said.",
      "Ticket prices on the line will not change this year.",
      "The closure cost the operator about 2 million euros in lost fares.",
      "Passenger groups welcomed the reopening but criticised the replacement buses.",
      "The line carries about 9,000 passengers a day.",
      "A second phase of track work is planned for 2026.",
      "She said the new signals would cut delays by half.",
    ];
    fc.assert(
      fc.property(fc.array(fc.array(fc.constantFrom(...sentences), { minLength: 1, maxLength: 4 }), { minLength: 2, maxLength: 5 }), (paragraphs) => {
        const blocks: HygieneBlock[] = paragraphs.map((p, i) => ({ kind: "prose", line: i * 2 + 1, section: [], text: p.join(" ") }));
        assert.deepEqual(flaggedOf(checkDocument(blocks)), []);
      }),
      { numRuns: 200 },
    );
  });

  it("is deterministic and leaves untouched blocks byte-identical", async () => {
    const blocks = await fixture("harbour-bridge.txt");
    const first = checkDocument(blocks);
    assert.deepEqual(checkDocument(blocks), first);
    first.forEach((v, i) => {
      if (v.removed.length === 0) assert.equal(v.text, blocks[i]!.text);
      for (const r of v.removed) ok(r.start >= 0 && r.end <= blocks[i]!.text.length && r.start < r.end);
    });
  });
});

describe("hygiene: operator overrides", () => {
  it("keeps a flagged span that overlaps a `keep` text", async () => {
    const verdicts = checkDocument(await fixture("harbour-bridge.txt"), { keep: ["Elara whispered"] });
    ok(verdicts[3]!.text.includes("“You never told me you were leaving,” Elara whispered"));
    ok(!flaggedOf(verdicts).some((f) => f.text.includes("Elara")));
  });

  it("matches `keep` texts across curly and straight quotes and case", async () => {
    const verdicts = checkDocument(await fixture("hospital-wing.txt"), { keep: ["\"don't you dare open that door"] });
    ok(verdicts[2]!.text.includes("“Don’t you dare open that door,” Marcus growled."), verdicts[2]!.text);
  });

  it("checks nothing when disabled", async () => {
    const blocks = await fixture("harbour-bridge.txt");
    assert.deepEqual(flaggedOf(checkDocument(blocks, { disabled: true })), []);
  });

  it("reads .hygiene.json and resolves its paths, folders and globs to the folder's files", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "hygiene-"));
    try {
      for (const file of ["news/a.txt", "news/b.txt", "stories/deep/b.txt", "docs/c.md"]) {
        await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
        await writeFile(path.join(dir, file), "Some text.\n");
      }
      await writeFile(
        path.join(dir, ".hygiene.json"),
        JSON.stringify({ "news/a.txt": { keep: ["Lan said"] }, "stories/": { hygiene: "off" }, "**/*.md": { keep: "x" } }),
      );
      assert.deepEqual(await readHygieneConfig(dir), {
        "docs/c.md": { keep: ["x"] },
        "news/a.txt": { keep: ["Lan said"] },
        "stories/deep/b.txt": { disabled: true },
      });
      ok(patternMatches("*.txt", "a.txt") && !patternMatches("*.txt", "news/a.txt"), "* stays within one folder");
      ok(patternMatches("**/b.txt", "b.txt") && patternMatches("**/b.txt", "x/y/b.txt"), "**/ matches any depth");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("names the file and the bad value when .hygiene.json is wrong", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "hygiene-"));
    try {
      const file = path.join(dir, ".hygiene.json");
      await writeFile(file, "{ not json");
      await assert.rejects(readHygienePatterns(dir), (e: Error) => e.message.startsWith("hygiene-config: ") && e.message.includes(file));
      await writeFile(file, JSON.stringify({ "a.txt": { hygiene: "sometimes" } }));
      await assert.rejects(readHygienePatterns(dir), /"a\.txt".*"sometimes"/);
      await writeFile(file, JSON.stringify({ "a.txt": { kept: ["x"] } }));
      await assert.rejects(readHygienePatterns(dir), /Unknown key "kept"/);
      await writeFile(file, JSON.stringify({ "a.txt": { keep: [1] } }));
      await assert.rejects(readHygienePatterns(dir), /"keep".*\[1\]/);
      await rm(file);
      assert.deepEqual(await readHygieneConfig(dir), {});
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("hygiene: the seed article", () => {
  // The seed is in the repo; the eval set may not be beside the clone, so its expected phrases are inlined.
  const EXPECTED = [
    "June 15, 2001",
    "9 member states",
    "24th meeting",
    "Nuryshev",
    "exceeded 140",
    "main political document",
    "highest decision-making body",
    "not a military group",
    "Counter-Narcotics Strategy 2024-2029",
    "2025-2027",
    "initiator",
    "important platform",
    "China will take over",
    "mutual trust and mutual benefit",
    "largest territory",
    "26 countries",
    "seeks development through cooperation",
    "Xi Jinping will attend",
    "once a year",
    "all member states are equal",
    "Astana Declaration",
  ];
  const INJECTED = [
    "opportunities, opportunities",
    "mother-in-law",
    "Why not?",
    "dissatisfied",
    "enough is enough",
    "Lan Xue",
    "chess",
    "son-in-law",
    "study room",
    "Qulangtai",
    "calligraphy",
    "rmat/jp",
    "bridal chamber",
    "sarcastic",
    "g”>",
    "lost consciousness",
    "screaming",
    "——",
    "Lan Mu",
    "three-life cultivation",
    "repair him",
  ];

  async function cleanSeed() {
    const source = await readFile(path.join(import.meta.dirname, "..", "knowledge", "sco-astana-summit.txt"), "utf8");
    const doc = parseText(source, "sco-astana-summit.txt");
    return { doc, ...hygieneCleaner()(doc.blocks, doc, "sco-astana-summit.txt") };
  }

  it("removes every injected span and the debris paragraph", async () => {
    const { blocks, flagged } = await cleanSeed();
    const text = blocks.map((b) => b.text).join("\n");
    for (const fiction of INJECTED) ok(!text.includes(fiction), `left in: ${fiction}`);
    ok(!blocks.some((b) => b.text.includes("Available on")));
    assert.deepEqual(
      flagged.map((f) => f.line),
      [15, 15, 30, 32, 36],
    );
    ok(flagged.some((f) => f.text.startsWith("/ Available on Qulangtai") && f.text.endsWith("g”>")));
  });

  it("keeps every expected fact answerable", async () => {
    const { blocks } = await cleanSeed();
    const fold = (s: string) => s.toLowerCase().replace(/[“”]/g, '"').replace(/[’‘]/g, "'").replace(/\s+/g, " ");
    const text = fold(blocks.map((b) => b.text).join("\n"));
    for (const phrase of EXPECTED) ok(text.includes(fold(phrase)), `lost: ${phrase}`);
  });

  it("mends the seams where fiction was cut out of a sentence", async () => {
    const { blocks } = await cleanSeed();
    const text = blocks.map((b) => b.text).join("\n");
    ok(text.includes("“Lanting Observation” that the SCO is an important platform"));
    ok(text.includes("promotes cooperation. With the organization of regional security, it is different from some military-political alliances."));
    ok(/^Since its establishment 23 years ago/m.test(text));
    ok(!/\s[,.]\s*[,.]|——/.test(text.replace("“Belt and Road”. .", "")));
  });
});

describe("hygiene: cohesion bookkeeping", () => {
  it("counts a run's words found elsewhere the same in every round", () => {
    // "lighthouse" occurs once elsewhere: once the run was flagged in one round, the next round took
    // the run's own words out of the document twice and reported 0 of 10.
    const blocks: HygieneBlock[] = [
      {
        kind: "prose",
        line: 3,
        section: [],
        text: "The river ferry between Oldport and Newhaven will run every hour from May. The ferry leaves from the north pier, next to the old lighthouse, and carries 200 passengers and 40 cars.",
      },
      { kind: "prose", line: 5, section: [], text: "Tickets for the ferry cost six euros at the pier. The river crossing takes twenty minutes." },
      { kind: "prose", line: 7, section: [], text: "Why would he wait by the lighthouse? Nobody knew. The storm took her away, and the house stayed dark." },
      {
        kind: "prose",
        line: 9,
        section: [],
        text: "The ferry operator said the new timetable would suit commuters on both sides of the river. Cars must arrive at the pier ten minutes before departure.",
      },
    ];
    const verdicts = checkDocument(blocks);
    assert.deepEqual(flaggedOf(verdicts), [{ line: 7, text: blocks[2]!.text }]);
    assert.match(verdicts[2]!.flagged[0]!.reason, /\b1 of 10 content words found elsewhere/);
  });
});
