"""A geocoder caches its answers in a dict on the class, keyed by coordinates."""
from _story import dump


class Geocoder:
    _answers = {}

    def reverse(self, lat, lon):
        key = (round(lat, 4), round(lon, 4))
        if key not in Geocoder._answers:
            Geocoder._answers[key] = {"lat": lat, "lon": lon,
                                      "label": "near %.4f, %.4f" % key, "tiles": list(range(12))}
        return Geocoder._answers[key]


coder = Geocoder()
for n in range(4000):
    coder.reverse(48.85 + n * 0.0003, 2.35 - n * 0.0002)
dump()
