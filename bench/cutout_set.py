"""The cut-out evaluation set: synthetic product photos with their ground-truth alpha.

    python -m bench.cutout_set --out DIR [--set tuning|held-out|...|held-out-4]
                               [--only NAME,...]

Every product is drawn by code (bench.cutout_products) on a textured, cluttered or
plain backdrop with cast shadows, then photographed: lens softness, sensor noise,
JPEG. A sample is the same for the same (name, seed) on every machine. The tuning
set uses seed 0; the held-out sets draw the same kinds of products with other seeds
(new sizes, colours, positions, backdrops and light) and are only looked at to report.
"""

from __future__ import annotations

import argparse
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from bench import cutout_products as products
from bench import cutout_textures as tx
from bench.cutout_drawing import Stage
from bench.cutout_scene import Scene, Shadow, shoot

# The tuning set, and the held-out ones (see docs/BENCHMARKS.md for what each has seen).
SETS = {"tuning": 0, "held-out": 1, "held-out-2": 2, "held-out-3": 3, "held-out-4": 4}
TUNING_SEED = SETS["tuning"]


@dataclass(frozen=True)
class Sample:
    name: str
    tags: tuple[str, ...]
    seed: int
    photo: np.ndarray  # H×W×3 uint8
    alpha: np.ndarray  # H×W float32 in [0, 1], the product's true coverage

    @property
    def held_out(self) -> bool:
        return self.seed != TUNING_SEED


SceneMaker = Callable[[np.random.Generator], Scene]
CATALOGUE: dict[str, tuple[tuple[str, ...], SceneMaker]] = {}


def scene(*tags: str) -> Callable[[SceneMaker], SceneMaker]:
    """Registers a scene maker under its function's name with its tags."""

    def register(maker: SceneMaker) -> SceneMaker:
        CATALOGUE[maker.__name__] = (tags, maker)
        return maker

    return register


def stage(rng: np.random.Generator, backdrop: np.ndarray, floor_y: int = 0) -> Stage:
    shape = backdrop.shape[:2]
    return Stage(shape, rng, float(rng.uniform(-0.7, 0.7)), floor_y, backdrop)


def soft_shadow(rng: np.random.Generator, wall: float = 0.0) -> Shadow:
    slant = float(rng.choice([-1, 1]) * rng.uniform(0.3, 0.8))
    return Shadow(slant, rng.uniform(0.2, 0.35), rng.uniform(0.35, 0.55), rng.uniform(10, 22), wall)


def grey_room(
    rng: np.random.Generator, shape: tuple[int, int], floor: np.ndarray
) -> tuple[np.ndarray, int]:
    """A grey wall meeting `floor` at a skirting board; (backdrop, floor line row)."""
    wall = tx.plaster(rng, shape, (rng.uniform(150, 175),) * 3)
    floor_y = int(shape[0] * rng.uniform(0.55, 0.62))
    return tx.room(wall, floor, floor_y, (205, 205, 200)), floor_y


@scene("holes", "texture", "shadow")
def ring_on_wood(rng: np.random.Generator) -> Scene:
    shape = (1024, 1024)
    table = tx.in_perspective(tx.wood(rng, (1400, 1024), (150, 100, 62), 200), *shape, 0.4)
    where = stage(rng, table)
    return Scene(where, products.ring(where), soft_shadow(rng), lying=True)


@scene("holes", "thin", "shadow", "room")
def slatted_chair_grey_wall(rng: np.random.Generator) -> Scene:
    shape = (1024, 1024)
    backdrop, floor_y = grey_room(rng, shape, tx.concrete(rng, (700, 1024), (128, 126, 122)))
    where = stage(rng, backdrop, floor_y)
    return Scene(where, products.slatted_chair(where), soft_shadow(rng, wall=0.25))


@scene("clutter", "shadow", "room", "texture")
def sofa_floor_clutter(rng: np.random.Generator) -> Scene:
    shape = (768, 1024)
    floor = tx.wood(rng, (600, 1024), (170, 130, 92), 70)
    backdrop, floor_y = grey_room(rng, shape, floor)
    where = stage(rng, backdrop, floor_y)
    sofa = products.sofa(where)
    clutter = products.floor_clutter(where, sofa, int(rng.integers(4, 7)))
    return Scene(where, sofa, soft_shadow(rng, wall=0.2), clutter)


@scene("white-on-white", "holes", "shadow")
def white_mug_light(rng: np.random.Generator) -> Scene:
    shape = (1024, 1024)
    tone = rng.uniform(212, 228)
    backdrop = tx.sweep(shape, (tone + 10,) * 3, (tone - 8,) * 3)
    where = stage(rng, backdrop)
    shadow = Shadow(float(rng.uniform(-0.6, 0.6)), 0.2, 0.3, 25.0)
    return Scene(where, products.mug(where), shadow, noise=2.5)


@scene("thin", "holes", "texture")
def ladder_tiled_wall(rng: np.random.Generator) -> Scene:
    shape = (1024, 768)
    wall = tx.tiles(rng, shape, (236, 234, 228), int(rng.integers(70, 110)), (190, 188, 182))
    floor = tx.tiles(rng, (500, 768), (150, 140, 130), 120, (110, 104, 98))
    floor_y = int(shape[0] * 0.8)
    backdrop = tx.room(wall, floor, floor_y, (236, 234, 228))
    where = stage(rng, backdrop, floor_y)
    return Scene(where, products.ladder(where), soft_shadow(rng, wall=0.2))


def light_room(
    rng: np.random.Generator, shape: tuple[int, int], floor: np.ndarray
) -> tuple[np.ndarray, int]:
    """A pale painted wall over `floor`; (backdrop, floor line row)."""
    wall = tx.plaster(rng, shape, tuple(rng.uniform(200, 228, 3)))
    floor_y = int(shape[0] * rng.uniform(0.6, 0.68))
    return tx.room(wall, floor, floor_y, (238, 236, 230)), floor_y


def oak_floor(rng: np.random.Generator, width: int) -> np.ndarray:
    return tx.wood(rng, (700, width), tuple(rng.uniform([150, 105, 70], [190, 140, 100])), 80)


@scene("thin", "room", "shadow")
def floor_lamp_stem(rng: np.random.Generator) -> Scene:
    backdrop, floor_y = light_room(rng, (1024, 768), oak_floor(rng, 768))
    where = stage(rng, backdrop, floor_y)
    return Scene(where, products.floor_lamp(where), soft_shadow(rng, wall=0.25))


@scene("thin", "holes", "texture")
def desk_lamp_on_desk(rng: np.random.Generator) -> Scene:
    shape = (1024, 1024)
    desk = tx.wood(rng, (900, 1024), (176, 128, 84), 4000)
    backdrop, floor_y = (
        tx.room(tx.plaster(rng, shape, (214, 210, 200)), desk, 440, (120, 86, 56)),
        440,
    )
    where = stage(rng, backdrop, floor_y)
    return Scene(where, products.desk_lamp(where), soft_shadow(rng, wall=0.3))


@scene("translucent", "texture")
def glass_vase_on_table(rng: np.random.Generator) -> Scene:
    shape = (1024, 1024)
    table = tx.wood(rng, (900, 1024), (160, 112, 74), 4000)
    backdrop, floor_y = (
        tx.room(tx.plaster(rng, shape, (196, 200, 196)), table, 700, (150, 104, 70)),
        700,
    )
    where = stage(rng, backdrop, floor_y)
    return Scene(where, products.glass_vase(where), soft_shadow(rng))


@scene("translucent", "white-on-white")
def glass_bottle_pale(rng: np.random.Generator) -> Scene:
    shape = (1024, 768)
    where = stage(rng, tx.sweep(shape, (236, 236, 234), (214, 214, 212)))
    return Scene(where, products.glass_bottle(where), Shadow(0.3, 0.2, 0.3, 20.0), noise=2.0)


@scene("white-on-white", "shadow")
def microwave_white_sweep(rng: np.random.Generator) -> Scene:
    shape = (768, 1024)
    where = stage(rng, tx.sweep(shape, (250, 250, 250), (232, 232, 230)))
    return Scene(where, products.microwave(where), Shadow(0.2, 0.15, 0.35, 30.0), noise=2.0)


@scene("thin", "holes", "room", "shadow")
def bar_stool_concrete(rng: np.random.Generator) -> Scene:
    floor = tx.concrete(rng, (700, 768), (150, 146, 140))
    backdrop, floor_y = light_room(rng, (1024, 768), floor)
    where = stage(rng, backdrop, floor_y)
    return Scene(where, products.bar_stool(where), soft_shadow(rng, wall=0.2))


@scene("holes", "texture", "shadow")
def drill_on_concrete(rng: np.random.Generator) -> Scene:
    shape = (1024, 1024)
    floor = tx.in_perspective(tx.concrete(rng, (1200, 1024), (140, 138, 134)), *shape, 0.3)
    where = stage(rng, floor, 0)
    return Scene(where, products.drill(where), soft_shadow(rng))


@scene("thin", "holes", "room", "shadow")
def bucket_wire_handle(rng: np.random.Generator) -> Scene:
    backdrop, floor_y = grey_room(rng, (1024, 1024), tx.concrete(rng, (700, 1024), (120, 118, 112)))
    where = stage(rng, backdrop, floor_y)
    return Scene(where, products.bucket(where), soft_shadow(rng, wall=0.2))


@scene("thin", "holes", "texture", "room")
def side_table_carpet(rng: np.random.Generator) -> Scene:
    floor = tx.carpet(rng, (700, 1024), tuple(rng.uniform([150, 130, 110], [200, 180, 160])))
    backdrop, floor_y = light_room(rng, (1024, 1024), floor)
    where = stage(rng, backdrop, floor_y)
    return Scene(where, products.side_table(where), soft_shadow(rng, wall=0.2))


@scene("thin", "room")
def coat_rack_hallway(rng: np.random.Generator) -> Scene:
    backdrop, floor_y = light_room(rng, (1024, 768), oak_floor(rng, 768))
    where = stage(rng, backdrop, floor_y)
    return Scene(where, products.coat_rack(where), soft_shadow(rng, wall=0.2))


@scene("holes", "texture", "shiny")
def faucet_marble(rng: np.random.Generator) -> Scene:
    shape = (1024, 1024)
    splash = tx.tiles(rng, shape, (226, 230, 232), 64, (170, 172, 170))
    counter = tx.marble(rng, (800, 1024), (236, 234, 230))
    backdrop = tx.room(splash, counter, 560, (200, 200, 198))
    where = stage(rng, backdrop, 560)
    return Scene(where, products.faucet(where), soft_shadow(rng))


@scene("holes", "thin", "room")
def potted_plant_wall(rng: np.random.Generator) -> Scene:
    backdrop, floor_y = light_room(rng, (1024, 1024), oak_floor(rng, 1024))
    where = stage(rng, backdrop, floor_y)
    return Scene(where, products.potted_plant(where), soft_shadow(rng, wall=0.3))


@scene("edge", "room", "shadow")
def wardrobe_cut_by_frame(rng: np.random.Generator) -> Scene:
    shape = (1024, 1024)
    wall = tx.plaster(rng, shape, tuple(rng.uniform(200, 228, 3)))
    floor_y = int(shape[0] * rng.uniform(0.74, 0.8))
    backdrop = tx.room(wall, oak_floor(rng, 1024), floor_y, (238, 236, 230))
    where = stage(rng, backdrop, floor_y)
    return Scene(where, products.wardrobe(where), soft_shadow(rng, wall=0.3))


@scene("edge", "room", "shadow", "texture")
def sofa_cut_by_frame(rng: np.random.Generator) -> Scene:
    shape = (768, 1024)
    floor = tx.carpet(rng, (600, 1024), (120, 110, 100))
    backdrop, floor_y = light_room(rng, shape, floor)
    where = stage(rng, backdrop, floor_y)
    return Scene(where, products.sofa(where, left=-0.25 * shape[1]), soft_shadow(rng, wall=0.2))


@scene("shadow", "texture")
def paint_can_hard_shadow(rng: np.random.Generator) -> Scene:
    shape = (1024, 1024)
    floor = tx.in_perspective(tx.concrete(rng, (1200, 1024), (170, 164, 150)), *shape, 0.3)
    where = stage(rng, floor, 0)
    slant = float(rng.choice([-1, 1]) * rng.uniform(0.9, 1.3))
    return Scene(where, products.paint_can(where), Shadow(slant, 0.55, 0.6, 3.0), light=0.1)


@scene("dark-on-dark", "thin", "holes", "room")
def bistro_chair_dark(rng: np.random.Generator) -> Scene:
    shape = (1024, 1024)
    floor = tx.wood(rng, (700, 1024), (70, 48, 34), 60)
    wall = tx.plaster(rng, shape, (72, 74, 78))
    floor_y = int(shape[0] * 0.6)
    where = stage(rng, tx.room(wall, floor, floor_y, (60, 60, 62)), floor_y)
    return Scene(where, products.bistro_chair(where), soft_shadow(rng), noise=4.0)


@scene("holes", "thin", "texture")
def scissors_on_workbench(rng: np.random.Generator) -> Scene:
    shape = (1024, 1024)
    bench = tx.wood(rng, shape, (196, 160, 116), 4000)
    where = stage(rng, bench, 0)
    return Scene(where, products.scissors(where), soft_shadow(rng), lying=True)


@scene("shadow", "texture", "room")
def armchair_strong_shadow(rng: np.random.Generator) -> Scene:
    floor = tx.carpet(rng, (700, 1024), (214, 206, 190))
    backdrop, floor_y = light_room(rng, (1024, 1024), floor)
    where = stage(rng, backdrop, floor_y)
    slant = float(rng.choice([-1, 1]) * rng.uniform(1.0, 1.4))
    return Scene(where, products.armchair(where), Shadow(slant, 0.3, 0.6, 9.0, 0.3))


@scene("holes", "texture", "shiny")
def kettle_kitchen(rng: np.random.Generator) -> Scene:
    shape = (1024, 1024)
    splash = tx.tiles(rng, shape, tuple(rng.uniform(150, 230, 3)), 90, (200, 200, 196))
    counter = tx.wood(rng, (800, 1024), (150, 110, 76), 4000)
    where = stage(rng, tx.room(splash, counter, 600, (120, 90, 60)), 600)
    return Scene(where, products.kettle(where), soft_shadow(rng))


@scene("thin", "holes", "texture")
def towel_radiator_tiles(rng: np.random.Generator) -> Scene:
    shape = (1024, 768)
    wall = tx.tiles(
        rng, shape, tuple(rng.uniform(120, 235, 3)), int(rng.integers(60, 120)), (210, 208, 204)
    )
    where = stage(rng, wall, shape[0])
    return Scene(where, products.towel_radiator(where), Shadow(0, 1, 0.4, 12.0, 0.4), lying=True)


@scene("clutter", "shadow", "room", "texture")
def sideboard_floor_clutter(rng: np.random.Generator) -> Scene:
    shape = (768, 1024)
    floor = tx.wood(rng, (600, 1024), tuple(rng.uniform([120, 80, 50], [190, 140, 100])), 70)
    backdrop, floor_y = grey_room(rng, shape, floor)
    where = stage(rng, backdrop, floor_y)
    cabinet = products.sideboard(where)
    clutter = products.clutter_in_front(where, cabinet, int(rng.integers(3, 5)))
    return Scene(where, cabinet, soft_shadow(rng, wall=0.2), clutter)


def sample(name: str, seed: int = TUNING_SEED) -> Sample:
    """The named product photo; the same for the same (name, seed)."""
    tags, maker = CATALOGUE[name]
    rng = np.random.default_rng([zlib.crc32(name.encode()), seed])
    photo, alpha = shoot(maker(rng))
    return Sample(name, tags, seed, photo, alpha)


def evaluation_set(name: str = "tuning", products: list[str] | None = None) -> list[Sample]:
    """Every product of the catalogue (or the named ones) in the set `name` (see SETS)."""
    return [sample(product, SETS[name]) for product in (products or list(CATALOGUE))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--set", choices=list(SETS), default="tuning")
    parser.add_argument("--only", help="comma-separated product names")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    names = args.only.split(",") if args.only else None
    for item in evaluation_set(args.set, names):
        stem = args.out / f"{item.name}-{item.seed}"
        Image.fromarray(item.photo).save(f"{stem}.png")
        Image.fromarray(np.rint(item.alpha * 255).astype(np.uint8)).save(f"{stem}-alpha.png")
        print(stem, ",".join(item.tags))


if __name__ == "__main__":
    main()
