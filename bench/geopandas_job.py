"""The analyze job in GeoPandas, for the side-by-side benchmark: read the same GeoJSON files, spatial join
(predicate "intersects", so boundary points count as covered, as in Coverage Atlas), then the city-level
rates of settlements with at least --min-households households. Prints one JSON line."""
import argparse
import json

import geopandas as gpd
import pandas as pd

parser = argparse.ArgumentParser()
parser.add_argument("--settlements", required=True)
parser.add_argument("--mobile", action="append", required=True)
parser.add_argument("--broadband", action="append", required=True)
parser.add_argument("--min-households", type=int, default=25)
parser.add_argument("--mobile-tech", default="4G")
args = parser.parse_args()


def read_all(paths):
    return gpd.GeoDataFrame(pd.concat([gpd.read_file(p) for p in paths], ignore_index=True))


settlements = gpd.read_file(args.settlements)
mobile = read_all(args.mobile)
broadband = read_all(args.broadband)
techs = {t.strip().upper() for t in args.mobile_tech.split(",")}
mobile = mobile[mobile["tech"].fillna("4G").str.upper().isin(techs)]
eligible = settlements[settlements["households"] >= args.min_households][["id", "geometry"]]


def covered(polygons):
    joined = gpd.sjoin(eligible, polygons[["geometry"]], how="inner", predicate="intersects")
    return int(joined.index.unique().size)


n = len(eligible)
m = covered(mobile)
b = covered(broadband)
print(json.dumps({"eligible": n, "mobileCovered": m, "broadbandCovered": b,
                  "mobileRate": m / n if n else None, "broadbandRate": b / n if n else None}))
