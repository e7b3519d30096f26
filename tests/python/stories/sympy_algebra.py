"""A solver keeps the expressions it derived: ordinary sympy data, with sympy's own
(bounded) caches."""
import sympy

from _story import dump

x, y, z = sympy.symbols("x y z")
expressions = [sympy.expand((x + k * y - z) ** 3 + sympy.sin(k * x)) for k in range(250)]
derivatives = [sympy.diff(e, x) for e in expressions]
dump()
