"""An order service keeps the day's orders as pydantic models: ordinary data."""
from pydantic import BaseModel

from _story import dump


class Line(BaseModel):
    sku: str
    quantity: int


class Order(BaseModel):
    id: int
    customer: str
    lines: list[Line]
    total: float


orders = [Order(id=n, customer="customer-%d" % (n % 500),
                lines=[Line(sku="sku-%d" % (n % 40), quantity=n % 5 + 1)], total=n * 1.25)
          for n in range(4000)]
dump()
