/**
 * A bounded load generator for the shop: realistic checkouts and quotes, with the bad
 * inputs real clients send (mistyped cards, expired codes, unknown regions, malformed
 * bodies), so production telemetry holds real failures with real V8 stacks.
 * Deterministic for a seed: the same run sends the same requests.
 */

export interface LoadOptions {
  baseUrl: string;
  /** Stop after this long. */
  seconds: number;
  /** Requests in flight at once. */
  concurrency: number;
  /** Never send more than this many requests. */
  maxRequests: number;
  /** Target requests per second, all workers together (keeps a shared machine responsive). */
  ratePerSecond: number;
  seed: number;
  /** The business date sent with every request (YYYY-MM-DD), so outcomes are reproducible. */
  businessDate: string;
  onProgress?: (progress: LoadProgress) => void;
  signal?: AbortSignal;
}

export interface LoadProgress {
  elapsedMs: number;
  sent: number;
  ok: number;
  clientErrors: number;
  serverErrors: number;
}

interface PlannedRequest {
  method: "GET" | "POST";
  path: string;
  body?: string;
}

type Random = () => number;

/** mulberry32: small, fast, good enough to shape traffic. */
function seeded(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Picks by weight: `[[weight, value], ...]`. */
function pick<T>(random: Random, options: readonly (readonly [number, T])[]): T {
  const total = options.reduce((sum, [weight]) => sum + weight, 0);
  let roll = random() * total;
  for (const [weight, value] of options) {
    roll -= weight;
    if (roll < 0) return value;
  }
  return options[options.length - 1]![1];
}

const SKUS = [
  "MUG-01",
  "TEE-BLK-M",
  "TEE-BLK-L",
  "HOOD-GRY-L",
  "CAP-NVY",
  "STICK-10",
  "BOTTLE-75",
  "BAG-TOTE",
];

// Public test card numbers (Luhn-valid, never real accounts).
const GOOD_CARDS = [
  { number: "4242424242424242", cvc: "123" },
  { number: "4000 0566 5566 5556", cvc: "314" },
  { number: "5555555555554444", cvc: "737" },
  { number: "2223003122003222", cvc: "101" },
  { number: "378282246310005", cvc: "4321" },
  { number: "6011111111111117", cvc: "555" },
];

const FIRST = ["ada", "grace", "linus", "margaret", "ken", "barbara", "dennis", "frances"];

function items(random: Random): unknown {
  const shape = pick(random, [
    [90, "normal"],
    [3, "zero-quantity"],
    [2, "unknown-sku"],
    [2, "null"],
    [2, "empty"],
    [1, "bulk"],
  ] as const);
  if (shape === "null") return null;
  if (shape === "empty") return [];
  const count = 1 + Math.floor(random() * 4);
  const lines = Array.from({ length: count }, () => ({
    sku: SKUS[Math.floor(random() * SKUS.length)]!,
    quantity: pick(random, [
      [60, 1],
      [25, 2],
      [10, 3],
      [5, 5],
    ] as const) as number,
  }));
  if (shape === "zero-quantity")
    lines[0]!.quantity = pick(random, [
      [2, 0],
      [1, -1],
      [1, 1.5],
    ]);
  if (shape === "unknown-sku")
    lines[0]!.sku = pick(random, [
      [1, "MUG-02"],
      [1, "tee-blk-m"],
    ]);
  if (shape === "bulk") lines[0]!.quantity = 25;
  return lines;
}

function card(random: Random): unknown {
  const good = GOOD_CARDS[Math.floor(random() * GOOD_CARDS.length)]!;
  const year = 27 + Math.floor(random() * 4);
  const month = String(1 + Math.floor(random() * 12)).padStart(2, "0");
  const shape = pick(random, [
    [88, "good"],
    [4, "typo"],
    [3, "expired"],
    [2, "bad-cvc"],
    [1, "bad-expiry"],
    [2, "missing"],
  ] as const);
  switch (shape) {
    case "missing":
      return undefined;
    case "typo":
      return {
        number: good.number.replace(/\d$/, (d) => String((Number(d) + 1) % 10)),
        expiry: `${month}/${year}`,
        cvc: good.cvc,
      };
    case "expired":
      return {
        ...good,
        expiry: pick(random, [
          [1, "09/24"],
          [1, "10/26"],
        ]),
      };
    case "bad-cvc":
      return { ...good, expiry: `${month}/${year}`, cvc: "12" };
    case "bad-expiry":
      return {
        ...good,
        expiry: pick(random, [
          [1, "13/28"],
          [1, "2028-04"],
        ]),
      };
    default:
      return { ...good, expiry: `${month}/${year}` };
  }
}

function discountCode(random: Random): unknown {
  return pick<unknown>(random, [
    [45, undefined],
    [14, "SAVE10"],
    [4, " save10"],
    [2, "save-10"],
    [10, "SAVE25"],
    [6, "WELCOME5"],
    [6, "FREESHIP"],
    [5, "SUMMER20"],
    [4, "BLACKFRIDAY"],
    [3, "SAVE50"],
    [1, 10],
  ] as const);
}

/** A business customer re-ordering the same office bundle with its usual code. */
function officeReorder(random: Random): Record<string, unknown> {
  return {
    email: "purchasing@acme-offices.example",
    items: [
      { sku: "HOOD-GRY-L", quantity: 3 },
      { sku: "BOTTLE-75", quantity: 2 },
    ],
    region: "US",
    card: { ...GOOD_CARDS[0]!, expiry: "08/29" },
    code: random() < 0.8 ? "SAVE25" : "BLACKFRIDAY",
  };
}

function order(random: Random): Record<string, unknown> {
  if (random() < 0.06) return officeReorder(random);
  const name = FIRST[Math.floor(random() * FIRST.length)]!;
  const code = discountCode(random);
  return {
    email: `${name}.${Math.floor(random() * 900 + 100)}@example.com`,
    items: items(random),
    region: pick(random, [
      [50, "US"],
      [22, "EU"],
      [10, "UK"],
      [13, "CA"],
      [5, "AU"],
    ] as const),
    card: card(random),
    ...(code === undefined ? {} : { code }),
  };
}

function planRequest(random: Random): PlannedRequest {
  const kind = pick(random, [
    [68, "checkout"],
    [22, "quote"],
    [4, "low-stock"],
    [3, "restock"],
    [3, "malformed"],
  ] as const);
  switch (kind) {
    case "checkout":
      return { method: "POST", path: "/checkout", body: JSON.stringify(order(random)) };
    case "quote": {
      const { card: _card, ...rest } = order(random);
      return { method: "POST", path: "/quote", body: JSON.stringify(rest) };
    }
    case "low-stock":
      return { method: "GET", path: "/inventory/low" };
    case "restock":
      return {
        method: "POST",
        path: "/inventory/restock",
        body: JSON.stringify({ sku: SKUS[Math.floor(random() * SKUS.length)], quantity: 20 }),
      };
    default:
      return { method: "POST", path: "/checkout", body: '{"items": [{"sku": "MUG-01",' };
  }
}

/** Sends traffic until `seconds` pass or `maxRequests` are sent; resolves with the totals. */
export async function generateLoad(options: LoadOptions): Promise<LoadProgress> {
  const random = seeded(options.seed);
  const started = Date.now();
  const deadline = started + options.seconds * 1000;
  const progress: LoadProgress = { elapsedMs: 0, sent: 0, ok: 0, clientErrors: 0, serverErrors: 0 };
  const ticker = setInterval(() => {
    progress.elapsedMs = Date.now() - started;
    options.onProgress?.({ ...progress });
  }, 1000);

  const worker = async (): Promise<void> => {
    while (
      Date.now() < deadline &&
      progress.sent < options.maxRequests &&
      !options.signal?.aborted
    ) {
      const due = started + (progress.sent / options.ratePerSecond) * 1000;
      if (due > Date.now()) {
        await new Promise((resolve) => setTimeout(resolve, due - Date.now()));
        continue;
      }
      const request = planRequest(random);
      progress.sent++;
      const response = await fetch(`${options.baseUrl}${request.path}`, {
        method: request.method,
        headers: { "content-type": "application/json", "x-business-date": options.businessDate },
        ...(request.body === undefined ? {} : { body: request.body }),
        signal: options.signal ?? null,
      });
      await response.arrayBuffer();
      if (response.status < 400) progress.ok++;
      else if (response.status < 500) progress.clientErrors++;
      else progress.serverErrors++;
    }
  };

  try {
    await Promise.all(Array.from({ length: options.concurrency }, worker));
  } finally {
    clearInterval(ticker);
  }
  progress.elapsedMs = Date.now() - started;
  return progress;
}
