"""A routing service keeps its road network in memory: a networkx graph, ordinary data."""
import random

import networkx as nx

from _story import dump

random.seed(7)
roads = nx.Graph()
for city in range(2500):
    roads.add_node(city, name="city-%d" % city, population=random.randint(1000, 10**6))
for _ in range(10000):
    a, b = random.randrange(2500), random.randrange(2500)
    roads.add_edge(a, b, km=random.uniform(1, 300), toll=random.random() < 0.1)
shortest = nx.single_source_dijkstra_path_length(roads, 0, weight="km")
dump()
