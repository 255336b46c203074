import type { ReturnType } from "../model.js";
import { replyUnion } from "./lua-types.js";

/**
 * Commands whose reply shape depends on their arguments: `LPOP key` replies a string, `LPOP key 2`
 * an array. The command table (commands.json) holds the union of every shape; the rules here say
 * which members a call's arguments select. A rule picks members of the table's reply by kind, so
 * the shapes themselves stay the table's (from Valkey's reply schemas); the rules are luagen's own,
 * written from each command's syntax.
 */

/** A call's words after the command's name: a literal's text (upper case), undefined when computed. */
export interface CallWords {
  words: readonly (string | undefined)[];
  /** No `...` or call last, which would expand into any number of words. */
  exact: boolean;
}

type Answer = "yes" | "no" | "maybe";

/** A shape the arguments select: the members of the table's reply of these kinds. */
interface Shape {
  /** How the selecting arguments are named: `with a count`. */
  when: string;
  kinds: readonly ReturnType["kind"][];
}

interface Variants {
  /** Tried in order: the first whose test is `yes` decides; a `maybe` keeps its shape as one possibility. */
  rules: readonly { test: (call: CallWords) => Answer; shape: Shape }[];
  /** When no rule says yes. */
  otherwise: Shape;
}

/** Whether the word at `index` (0 is the first after the name) is given; a last word that expands may give none. */
function present(index: number): (call: CallWords) => Answer {
  return ({ words, exact }) => {
    const certain = exact ? words.length : words.length - 1;
    return certain > index ? "yes" : exact ? "no" : "maybe";
  };
}

/**
 * Whether one of `names` is among the options from `from` on: `valued` options take the next word
 * as their value, and the last `tail` words are never options (ZADD's score and member).
 */
function option(
  names: readonly string[],
  from: number,
  { valued = [], tail = 0 }: { valued?: readonly string[]; tail?: number } = {},
): (call: CallWords) => Answer {
  return ({ words, exact }) => {
    const end = exact ? words.length - tail : words.length - 1;
    let unsure = !exact;
    for (let i = from; i < end; i++) {
      const word = words[i];
      if (word === undefined) unsure = true;
      else if (names.includes(word)) return "yes";
      else if (valued.includes(word)) i++;
    }
    return unsure ? "maybe" : "no";
  };
}

const WITH_COUNT = "with a count";
const WITHOUT_COUNT = "without a count";

/** `LPOP key [count]`: a count turns the reply into an array (nil when the key is missing). */
const popWithCount = (withCount: Shape["kinds"]): Variants => ({
  rules: [{ test: present(1), shape: { when: WITH_COUNT, kinds: withCount } }],
  otherwise: { when: WITHOUT_COUNT, kinds: ["string", "nil"] },
});

const rank: Variants = {
  rules: [{ test: option(["WITHSCORE"], 2), shape: { when: "with WITHSCORE", kinds: ["tuple", "nil"] } }],
  otherwise: { when: "without WITHSCORE", kinds: ["integer", "nil"] },
};

export const REPLY_VARIANTS: Readonly<Record<string, Variants>> = {
  LPOP: popWithCount(["array", "nil"]),
  RPOP: popWithCount(["array", "nil"]),
  // A missing key gives an empty array here, never nil.
  SPOP: popWithCount(["array"]),
  SRANDMEMBER: popWithCount(["array"]),
  ZRANDMEMBER: popWithCount(["array"]),
  HRANDFIELD: popWithCount(["array"]),
  ZRANK: rank,
  ZREVRANK: rank,
  // SET key value [NX | XX] [GET] [EX s | PX ms | EXAT t | PXAT t | KEEPTTL]
  SET: {
    rules: [
      {
        test: option(["GET"], 2, { valued: ["EX", "PX", "EXAT", "PXAT"] }),
        shape: { when: "with GET", kinds: ["string", "nil"] },
      },
      {
        test: option(["NX", "XX"], 2, { valued: ["EX", "PX", "EXAT", "PXAT"] }),
        shape: { when: "with NX or XX", kinds: ["status", "nil"] },
      },
    ],
    otherwise: { when: "without GET, NX or XX", kinds: ["status"] },
  },
  // ZADD key [NX | XX] [GT | LT] [CH] [INCR] score member [score member ...]
  ZADD: {
    rules: [{ test: option(["INCR"], 1, { tail: 2 }), shape: { when: "with INCR", kinds: ["string", "nil"] } }],
    otherwise: { when: "without INCR", kinds: ["integer"] },
  },
  // LPOS key element [RANK rank] [COUNT n] [MAXLEN len]
  LPOS: {
    rules: [
      { test: option(["COUNT"], 2, { valued: ["RANK", "MAXLEN"] }), shape: { when: "with COUNT", kinds: ["array"] } },
    ],
    otherwise: { when: "without COUNT", kinds: ["integer", "nil"] },
  },
};

/** What a call's arguments select of the table's reply; `variants` when they leave more than one shape. */
export interface SelectedReply {
  reply: ReturnType;
  /** The arguments that selected it (`with a count`); absent when more than one shape remains. */
  when?: string;
  /** Each shape the call may give and the arguments that give it, when literals do not decide. */
  variants?: { reply: ReturnType; when: string }[];
}

/** The reply a call of `command` gives with these arguments; undefined when no rule applies. */
export function selectReply(command: string, reply: ReturnType, call: CallWords): SelectedReply | undefined {
  const variants = Object.hasOwn(REPLY_VARIANTS, command) ? REPLY_VARIANTS[command] : undefined;
  if (variants === undefined) return undefined;
  const shapes: Shape[] = [];
  let decided = false;
  for (const { test, shape } of variants.rules) {
    const answer = test(call);
    if (answer === "no") continue;
    shapes.push(shape);
    if (answer === "yes") {
      decided = true;
      break;
    }
  }
  if (!decided) shapes.push(variants.otherwise);
  const picked = shapes.map((shape) => ({ reply: pick(reply, shape.kinds), when: shape.when }));
  // A rule that no longer fits the table (a shape it lacks) selects nothing: keep the table's union.
  if (picked.some((p) => p.reply === undefined)) return undefined;
  const selected = picked as { reply: ReturnType; when: string }[];
  if (selected.length === 1) return selected[0]!;
  return { reply: replyUnion(selected.map((s) => s.reply)), variants: selected };
}

function pick(reply: ReturnType, kinds: readonly ReturnType["kind"][]): ReturnType | undefined {
  const members = (reply.kind === "union" ? reply.members : [reply]).filter((m) => kinds.includes(m.kind));
  const found = new Set(members.map((m) => m.kind));
  if (!kinds.every((kind) => found.has(kind))) return undefined;
  return members.length === 1 ? members[0] : replyUnion(members);
}
