"""Correcting a segmentation model's mask with the photo's own colours.

A small model at 256 px fills holes (a ring's, the gaps between a chair's slats),
takes cast shadows and nearby clutter along, and loses thin parts. The photo itself
says where it is wrong. The backdrop is learned from the pixels the model is sure are
outside (inference.backdrop_evidence), then, region by region:

- *carved*: regions inside the mask that show the backdrop — walled off by colours
  unlike it, in its colours (or in its shadow), with its texture, and bounded by a
  sharp edge where they meet the product. Regions open to the outside (the space
  between a stool's legs) also need a product that stands out from the backdrop and a
  model that was unsure there;
- *dropped*: blobs left apart from the product that are shadows or patches of the
  backdrop (a soft outline, its colours and texture), specks, or in colours
  the product does not have (a toy that touched the sofa only through the floor) —
  unless the model saw them joined to the product by a faint ridge in colours unlike
  the backdrop (a lamp's base under a shade of another colour, joined by its stem), or
  the photo joins them by an upright rod the model did not see at all (the same stem);
- *added*: parts beside the product that it saw faintly, or not at all, in colours
  unlike the backdrop's (a lamp's stem, a rail's rungs, a scissors' blades) — not a
  strip along its outline or at its foot (a seam, a contact shadow).

Each change is one region judged on its own evidence; where the evidence is weak (the
product's colours are the backdrop's, as with white on white) the model's mask stays.
Works at WORK_SIDE pixels; the full-size edge is matting's job.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from inference.segmentation.backdrop_evidence import Evidence, gather_evidence
from inference.segmentation.colour_model import ColourModel, colour_index

WORK_SIDE = 512
# How far (work pixels) a pixel must be from the model's mask to teach the backdrop model.
OUTSIDE_MARGIN = 6
# Regions smaller than this share of the product's area are left to matting.
MIN_REGION_SHARE = 0.002
# A carved region is mostly (this share) in the backdrop's typical colours,
MOSTLY_TYPICAL = 0.6
# has at least TEXTURE_KEPT of the fine texture of the backdrop around it (a shadow
# also at most TEXTURE_EXCESS of it, plus TEXTURE_FLOOR grey levels),
TEXTURE_KEPT, TEXTURE_EXCESS, TEXTURE_FLOOR = 0.5, 1.6, 2.0
# and a sharp edge along this share of its border with the product.
EDGE_SUPPORT = 0.5
UNDECIDED = 0.45
# The frame's border band (share of the long side) shows what the backdrop is made of.
BORDER_SHARE = 0.04
# A product part's outline is a sharp edge nearly all round; a shadow's is not.
CRISP_OUTLINE = 0.85
# Bays (regions open to the outside) are carved only when the product's outline is in
# colours unlike the backdrop's over SEPARABLE of it, and the model's mean value over
# the bay is below BAY_CONFIDENCE.
SEPARABLE = 0.7
BAY_CONFIDENCE = 0.8
# A separate blob smaller than SPECK_SHARE of the largest is a speck; a larger one is
# foreign when FOREIGN_SHARE of it is in colours rare in the largest blob (less likely
# under its palette than all but OWN_QUANTILE of its own pixels).
SPECK_SHARE = 0.01
OWN_QUANTILE, FOREIGN_SHARE = 0.01, 0.6
# The model sees a thin part (a stem, a bar) at least FAINT; one seen at least SEEN
# that stands out from the backdrop (not in its colours, not its shadow) is added.
FAINT, SEEN = 0.15, 0.3
# An upright rod the model missed: at least ROD_RUN of the photo's height, narrower than
# a disc of radius ROD_RADIUS (wider is a surface), touching the mask along at most
# ROD_BESIDE of its length (a bridge between parts, not an edge of one).
ROD_RUN, ROD_RADIUS, ROD_BESIDE = 0.05, 4, 0.3
# The model's mask is blurred this far (work pixels) round its outline.
BLUR_BAND = 3
# A region FLAT times wider than tall in the lowest FOOT_SHARE of the product's height is
# on the floor: a seam or a contact shadow, not a part.
FLAT, FOOT_SHARE = 3, 0.1
# A region of the mask that meets the frame's edge along FRAME_RUN of its perimeter and is
# more likely in the backdrop's colours than in the rest of the product's is backdrop.
FRAME_RUN = 0.02
CLOSE_COLOURS = (
    "the product's colours are close to the background's along its outline, so the model's "
    "outline was kept there"
)


@dataclass(frozen=True)
class Refined:
    """The corrected mask at work size (float32 in [0, 1]: the model's soft values where
    kept, 0 where carved or dropped), what was changed (shares of the model's area), the
    evidence a plausibility check needs, and why the refinement held back, if it did."""

    mask: np.ndarray
    carved: float
    dropped: float
    backdrop_like: np.ndarray  # H×W bool: pixels in the background's colours
    edges: np.ndarray  # H×W bool: the photo's sharp edges
    doubt: str | None


def refine(image: np.ndarray, coarse: np.ndarray) -> Refined:
    """`image` H×W×3 uint8 (any size), `coarse` the model's mask in [0, 1] (any size)."""
    small = work_copy(image)
    height, width = small.shape[:2]
    soft = cv2.resize(coarse.astype(np.float32), (width, height), interpolation=cv2.INTER_LINEAR)
    solid = soft >= 0.5
    outside = ~grown(solid, OUTSIDE_MARGIN)
    if outside.mean() < 0.05 or solid.sum() < 16:
        blank = np.zeros_like(solid)
        return Refined(soft, 0.0, 0.0, blank, blank, "no background is left to learn from")
    area = int(solid.sum())
    min_area = max(8, int(MIN_REGION_SHARE * area))
    bins = colour_index(small)
    missed = missed_parts(bins, solid, outside, min_area)
    evidence = gather_evidence(small, bins, outside & ~missed)
    added = confirmed(missed, solid, evidence, area)
    separable = float(evidence.unlike[solid & ~shrunk(solid, 3)].mean()) >= SEPARABLE
    carved = carve(soft, evidence, min_area, separable)
    carved |= frame_strips(bins, solid & ~carved, evidence, outside, min_area)
    kept = main_parts(bins, solid & ~carved, evidence, soft)
    dropped = solid & ~carved & ~kept
    added |= thin_parts_seen_faintly(soft, kept, carved | dropped, evidence)
    added |= parts_missed_whole(kept, carved | dropped, evidence, min_area)
    added = touching(added, kept, OUTSIDE_MARGIN + 2)
    mask = np.where(carved | dropped, 0.0, soft)
    # A carved pixel next to the product is half product at this size: left undecided
    # (just under one half), for matting to settle at full size.
    mask[carved & grown(kept, 1)] = UNDECIDED
    return Refined(
        mask=np.where(added, 1.0, mask).astype(np.float32),
        carved=float(carved.sum() / area),
        dropped=float(dropped.sum() / area),
        backdrop_like=evidence.typical,
        edges=evidence.edge,
        doubt=None if separable else CLOSE_COLOURS,
    )


def work_copy(image: np.ndarray) -> np.ndarray:
    height, width = image.shape[:2]
    scale = WORK_SIDE / max(height, width)
    if scale >= 1.0:
        return image
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    return cv2.resize(image, size, interpolation=cv2.INTER_AREA)


def kernel(radius: int) -> np.ndarray:
    return cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * radius + 1, 2 * radius + 1))


def grown(mask: np.ndarray, radius: int) -> np.ndarray:
    return cv2.dilate(mask.astype(np.uint8), kernel(radius)).astype(bool)


def shrunk(mask: np.ndarray, radius: int) -> np.ndarray:
    return cv2.erode(mask.astype(np.uint8), kernel(radius)).astype(bool)


def regions(mask: np.ndarray) -> tuple[int, np.ndarray, np.ndarray]:
    """Connected regions (8-connected): their count, the label image and their stats."""
    # Grana's block-based labelling: the same regions as the default, in half the time.
    count, labels, stats, _ = cv2.connectedComponentsWithStatsWithAlgorithm(
        mask.astype(np.uint8), 8, cv2.CV_32S, cv2.CCL_GRANA
    )
    return count, labels, stats


def window(stat: np.ndarray, shape: tuple[int, int], margin: int) -> tuple[slice, slice]:
    """A region's bounding box (from its connected-components stats) grown by `margin`."""
    x, y, w, h = (int(v) for v in stat[:4])
    return (
        slice(max(0, y - margin), min(shape[0], y + h + margin)),
        slice(max(0, x - margin), min(shape[1], x + w + margin)),
    )


def exterior(solid: np.ndarray) -> np.ndarray:
    """The outside proper: the parts of the non-mask that reach the frame's edge (the
    others are holes the model already opened)."""
    _, labels, _ = regions(~solid)
    edge = at_frame(labels)
    return np.isin(labels, edge[edge > 0])


def at_frame(labels: np.ndarray) -> np.ndarray:
    """The labels found on the frame's edge (0, the unlabelled, among them if there)."""
    return np.unique(np.concatenate([labels[0], labels[-1], labels[:, 0], labels[:, -1]]))


def missed_parts(
    bins: np.ndarray, solid: np.ndarray, outside: np.ndarray, min_area: int
) -> np.ndarray:
    """Regions next to the mask in colours the frame's border never shows (a grey blade
    on wood beside the scissors' handles): likely parts the model missed, kept out of
    the backdrop's model. Empty when the product itself reaches the border."""
    border = np.zeros_like(solid)
    width = max(2, round(BORDER_SHARE * max(solid.shape)))
    border[:width], border[-width:], border[:, :width], border[:, -width:] = (True,) * 4
    if (border & solid).any():
        return np.zeros_like(solid)
    likelihood = ColourModel.fit(bins[border]).log_likelihood(bins)
    likelihood = cv2.GaussianBlur(likelihood, (0, 0), 1.0)
    own = likelihood[border]
    rare = min(float(np.quantile(own, 0.001)), float(own.max()) - np.log(3000.0))
    novel = cv2.morphologyEx(
        (outside & (likelihood < rare)).astype(np.uint8), cv2.MORPH_OPEN, kernel(1)
    )
    count, labels, stats = regions(novel)
    near = grown(solid, OUTSIDE_MARGIN + 2)
    missed = np.zeros_like(solid)
    for index in range(1, count):
        box = window(stats[index], solid.shape, 0)
        region = labels[box] == index
        if stats[index, cv2.CC_STAT_AREA] >= min_area and (region & near[box]).any():
            missed[box] |= region
    return missed


def touching(parts: np.ndarray, mask: np.ndarray, reach: int) -> np.ndarray:
    """The connected parts of `parts` that come within `reach` pixels of `mask`."""
    _, labels, _ = regions(parts)
    near = np.unique(labels[grown(mask, reach) & parts])
    return np.isin(labels, near[near > 0])


def confirmed(missed: np.ndarray, solid: np.ndarray, evidence: Evidence, area: int) -> np.ndarray:
    """The missed parts that look like parts: not shadow, a sharp edge along most of their
    outline, and together not larger than the product the model found."""
    count, labels, stats = regions(missed)
    added = np.zeros_like(missed)
    for index in range(1, count):
        box = window(stats[index], missed.shape, 2)
        region = labels[box] == index
        rim = grown(region, 1) & ~region & ~solid[box]
        if is_shadow(region, box, evidence) or not rim.any():
            continue
        if evidence.edge[box][rim].mean() >= EDGE_SUPPORT:
            added[box] |= region
    return added if added.sum() <= area else np.zeros_like(added)


def carve(soft: np.ndarray, evidence: Evidence, min_area: int, separable: bool) -> np.ndarray:
    """The regions inside the mask that show the backdrop (see the module's notes)."""
    solid = soft >= 0.5
    candidates = (solid & ~evidence.unlike).astype(np.uint8)
    candidates = cv2.morphologyEx(candidates, cv2.MORPH_OPEN, kernel(1)).astype(bool)
    count, labels, stats = regions(candidates)
    carved = np.zeros_like(solid)
    product, open_air = solid & ~candidates, grown(exterior(solid), 1)
    for index in range(1, count):
        if stats[index, cv2.CC_STAT_AREA] < min_area:
            continue
        box = window(stats[index], solid.shape, 3)
        region = labels[box] == index
        if not shows_backdrop(region, box, evidence, product):
            continue
        if (region & open_air[box]).any() and not may_open_bay(
            region, box, soft, evidence, separable
        ):
            continue
        carved[box] |= region
    return carved


def may_open_bay(
    region: np.ndarray,
    box: tuple[slice, slice],
    soft: np.ndarray,
    evidence: Evidence,
    separable: bool,
) -> bool:
    """A region open to the outside is carved only where the model was unsure of it, and
    where the product stands out from the backdrop (else it may be the product's own
    flank in the backdrop's colours: a white mug's shaded side on a white sweep) or the
    region runs off the frame (a stretch of wall the model took along)."""
    if soft[box][region].mean() >= BAY_CONFIDENCE:
        return False
    height, width = soft.shape
    rows, cols = box
    at_frame = (rows.start == 0 and region[0].any()) or (cols.start == 0 and region[:, 0].any())
    at_frame |= (rows.stop == height and region[-1].any()) or (
        cols.stop == width and region[:, -1].any()
    )
    return separable or bool(at_frame)


def shows_backdrop(
    region: np.ndarray, box: tuple[slice, slice], evidence: Evidence, product: np.ndarray
) -> bool:
    """Mostly the backdrop's typical colours, its texture (a smooth lid on concrete is
    not the concrete), and a sharp edge where the region meets the product (a cylinder's
    highlight, or the view through glass, fades in instead)."""
    if evidence.typical[box][region].mean() < MOSTLY_TYPICAL:
        return False
    if not has_backdrop_texture(region, box, evidence):
        return False
    border = grown(region, 1) & ~region & product[box]
    return bool(border.any()) and float(evidence.edge[box][border].mean()) >= EDGE_SUPPORT


def has_backdrop_texture(region: np.ndarray, box: tuple[slice, slice], evidence: Evidence) -> bool:
    """At least TEXTURE_KEPT of the backdrop's fine detail: a view of wood keeps its grain,
    a smooth lid on concrete does not."""
    texture = float(evidence.detail[box][region].mean())
    return texture >= TEXTURE_KEPT * float(evidence.backdrop_detail[box][region].mean())


def is_shadow(region: np.ndarray, box: tuple[slice, slice], evidence: Evidence) -> bool:
    """Mostly the backdrop's colour, darker, with about its texture (a chrome tap's
    reflections are far busier than the tiles they mirror) and a soft outline."""
    shaded = evidence.shadow[box][region].mean() >= 0.5
    return bool(shaded) and is_backdrop_surface(region, box, evidence)


def is_backdrop_patch(region: np.ndarray, box: tuple[slice, slice], evidence: Evidence) -> bool:
    """Mostly in the backdrop's colours here (its shadow included), with about its texture
    and a soft outline: a faint shadow, or a patch of the sweep the model took along (the
    shadow a white mug's handle casts on a white sweep). A part of the product that the
    model cut off has a sharp outline nearly all round, whatever its colours."""
    typical = evidence.typical[box][region].mean() >= MOSTLY_TYPICAL
    return bool(typical) and is_backdrop_surface(region, box, evidence)


def is_backdrop_surface(region: np.ndarray, box: tuple[slice, slice], evidence: Evidence) -> bool:
    """About the backdrop's own texture around it, and a soft outline."""
    texture = float(evidence.detail[box][region].mean())
    backdrop = float(evidence.backdrop_detail[box][region].mean())
    if not TEXTURE_KEPT * backdrop <= texture <= TEXTURE_EXCESS * backdrop + TEXTURE_FLOOR:
        return False
    rim = grown(region, 1) & ~region
    return bool(rim.any()) and float(evidence.edge[box][rim].mean()) < CRISP_OUTLINE


def thin_parts_seen_faintly(
    soft: np.ndarray, kept: np.ndarray, removed: np.ndarray, evidence: Evidence
) -> np.ndarray:
    """Thin parts the model saw at a third of full confidence or more, beside the product
    and unlike the backdrop: a lamp's stem, a rail's bar the 256 px model blurred below
    one half. Nothing next to what the refinement carved or dropped comes back."""
    seen = (soft >= SEEN) & ~kept & ~evidence.typical & ~evidence.shadow
    return touching(seen, kept, 1) & ~grown(removed, 2)


def parts_missed_whole(
    kept: np.ndarray, removed: np.ndarray, evidence: Evidence, min_area: int
) -> np.ndarray:
    """Parts the model did not see at all, joined to the product: regions in colours
    unlike the backdrop's that touch the product and reach at least `min_area` pixels
    beyond its blurred edge (a rail's rungs, a scissors' blades, a chair's legs). Not
    what lies along the product over more than ROD_BESIDE of its area, nor a flat strip
    at its foot (a seam or a contact shadow under a sofa), nor what runs off the frame
    (a wall's grout, a floor's boards) or borders what the refinement removed."""
    candidates = ~kept & ~evidence.typical & ~grown(removed, 2)
    count, labels, stats = regions(candidates)
    chosen = np.zeros(count, bool)
    chosen[np.unique(labels[grown(kept, 1) & candidates])] = True
    chosen[at_frame(labels)] = False
    chosen[0] = False
    chosen &= np.bincount(labels[~grown(kept, BLUR_BAND)], minlength=count) >= min_area
    beside, foot = grown(kept, 2), foot_row(kept)
    for index in np.flatnonzero(chosen):
        _, y, width, height = (int(v) for v in stats[index, :4])
        box = window(stats[index], kept.shape, 0)
        along = float(beside[box][labels[box] == index].mean()) > ROD_BESIDE
        chosen[index] = not along and not (y + height / 2 > foot and FLAT * height < width)
    return chosen[labels]


def foot_row(mask: np.ndarray) -> float:
    """The row above which the mask's lowest FOOT_SHARE of its height begins."""
    rows = np.flatnonzero(mask.any(axis=1))
    return float(rows[-1] - FOOT_SHARE * (rows[-1] - rows[0]) if rows.size else mask.shape[0])


def frame_strips(
    bins: np.ndarray, mask: np.ndarray, evidence: Evidence, outside: np.ndarray, min_area: int
) -> np.ndarray:
    """Parts of the mask that run off the frame and are backdrop: walled off from the rest
    of the product by sharp edges, and in colours likelier under the backdrop's palette
    than under the rest of the product's (the strip of wall between a wardrobe and the
    frame's edge that the model took along). Texture is no guide here: the backdrop near
    such a strip is often only the floor below it."""
    pieces = mask & ~grown(evidence.edge, 1)
    count, labels, stats = regions(pieces)
    frame = np.zeros_like(mask)
    frame[0], frame[-1], frame[:, 0], frame[:, -1] = True, True, True, True
    run = FRAME_RUN * frame.sum()
    backdrop = ColourModel.fit(bins[outside]).log_likelihood(bins)
    strips = np.zeros_like(mask)
    for index in range(1, count):
        piece = labels == index
        if stats[index, cv2.CC_STAT_AREA] < min_area or (piece & frame).sum() < run:
            continue
        box = window(stats[index], mask.shape, 0)
        rest = mask & ~grown(piece, 2)
        if not rest.any():
            continue
        product = ColourModel.fit(bins[rest]).log_likelihood(bins[box][piece[box]])
        if float((product - backdrop[box][piece[box]]).mean()) < 0.0:
            strips |= piece
    return strips


def main_parts(
    bins: np.ndarray, mask: np.ndarray, evidence: Evidence, soft: np.ndarray
) -> np.ndarray:
    """The largest blob, and the others unless they are specks, shadows or patches of the
    backdrop (its colours, darker or not, its texture, a soft outline) or foreign: mostly
    in colours the largest blob does not have (a toy by the sofa, not the sofa's own leg
    that the model cut off) and not joined to it by a ridge the model saw faintly (a
    lamp's stem)."""
    count, labels, stats = regions(mask)
    if count <= 2:
        return mask
    areas = stats[1:, cv2.CC_STAT_AREA]
    largest = int(np.argmax(areas)) + 1
    main = labels == largest
    likelihood = ColourModel.fit(bins[main]).log_likelihood(bins)
    foreign = likelihood < np.quantile(likelihood[main], OWN_QUANTILE)
    linked = joined_by_ridges(mask, main, soft, evidence)
    kept = main.copy()
    for index in range(1, count):
        if index == largest or areas[index - 1] < SPECK_SHARE * areas.max():
            continue
        box = window(stats[index], mask.shape, 2)
        blob = labels[box] == index
        if is_shadow(blob, box, evidence) or is_backdrop_patch(blob, box, evidence):
            continue
        if foreign[box][blob].mean() < FOREIGN_SHARE or linked[box][blob].any():
            kept[box] |= blob
    return kept


def joined_by_ridges(
    mask: np.ndarray, main: np.ndarray, soft: np.ndarray, evidence: Evidence
) -> np.ndarray:
    """The pixels of `mask` connected to `main` through pixels the model saw at least
    faintly in colours that are not the backdrop's, or through an upright rod: a stem
    seen at a third of full confidence, or not at all, joins its base to the shade; a
    toy joined only through the floor (the backdrop's colours, its grain running across)
    or through the model's blur around the sofa is not joined."""
    ridges = ((soft >= FAINT) & ~evidence.typical) | mask | upright_rods(mask, evidence)
    _, labels, _ = regions(ridges)
    reached = np.unique(labels[main])
    return np.isin(labels, reached[reached > 0]) & mask


def upright_rods(mask: np.ndarray, evidence: Evidence) -> np.ndarray:
    """Long upright runs outside `mask` of pixels unlike the backdrop or darker than it (a
    chrome stem shows the wall darkened), narrow, with sharp edges beside them, that
    touch the mask little along their length: a stem, a pole, a leg the model did not
    see. Products stand upright; a floor's grain and seams run across."""
    unlike = (~evidence.typical | evidence.shadow).astype(np.uint8)
    run = max(3, round(ROD_RUN * mask.shape[0]))
    upright = cv2.morphologyEx(unlike, cv2.MORPH_OPEN, np.ones((run, 1), np.uint8))
    surface = cv2.morphologyEx(unlike, cv2.MORPH_OPEN, kernel(ROD_RADIUS))
    rods = upright.astype(bool) & ~surface.astype(bool) & grown(evidence.edge, 1)
    rods = grown(rods, 1) & ~mask
    count, labels, stats = regions(rods)
    beside = grown(mask, 2)
    kept = np.zeros(count, bool)
    for index in range(1, count):
        if stats[index, cv2.CC_STAT_HEIGHT] < run:
            continue
        box = window(stats[index], mask.shape, 0)
        rod = labels[box] == index
        kept[index] = float(beside[box][rod].mean()) <= ROD_BESIDE
    return kept[labels]
