/** The products the shop sells. Prices are integer cents. */
export const CATALOG = new Map([
  ["MUG-01", { name: "Enamel mug", priceCents: 1400, weightGrams: 350 }],
  ["TEE-BLK-M", { name: "Black tee, M", priceCents: 2200, weightGrams: 180 }],
  ["TEE-BLK-L", { name: "Black tee, L", priceCents: 2200, weightGrams: 200 }],
  ["HOOD-GRY-L", { name: "Grey hoodie, L", priceCents: 5400, weightGrams: 650 }],
  ["CAP-NVY", { name: "Navy cap", priceCents: 1800, weightGrams: 120 }],
  ["STICK-10", { name: "Sticker pack", priceCents: 600, weightGrams: 20 }],
  ["BOTTLE-75", { name: "Steel bottle", priceCents: 2900, weightGrams: 420 }],
  ["BAG-TOTE", { name: "Canvas tote", priceCents: 1600, weightGrams: 240 }],
]);

export const INITIAL_STOCK = {
  "MUG-01": 400,
  "TEE-BLK-M": 250,
  "TEE-BLK-L": 30,
  "HOOD-GRY-L": 12,
  "CAP-NVY": 300,
  "STICK-10": 2000,
  "BOTTLE-75": 150,
  "BAG-TOTE": 200,
};
