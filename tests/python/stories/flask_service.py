"""A Flask service after serving a thousand requests: nothing piles up."""
from flask import Flask, jsonify, request

from _story import dump

app = Flask(__name__)


@app.route("/orders/<int:order_id>")
def order(order_id):
    return jsonify(id=order_id, lines=[{"sku": "sku-%d" % n, "qty": n} for n in range(5)])


@app.route("/orders", methods=["POST"])
def create():
    payload = request.get_json()
    return jsonify(created=payload["id"]), 201


client = app.test_client()
for n in range(500):
    client.get("/orders/%d" % n)
    client.post("/orders", json={"id": n, "lines": []})
dump()
