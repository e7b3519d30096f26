"""A service fires background jobs and keeps a reference to each task, as the asyncio
docs advise, but never lets the finished ones go."""
import asyncio

from _story import dump

background = set()


async def send_notification(user_id):
    await asyncio.sleep(0)
    return {"user": user_id, "status": "sent", "body": "hello user %d" % user_id * 4}


async def main():
    for user_id in range(3000):
        background.add(asyncio.create_task(send_notification(user_id)))
    while any(not task.done() for task in background):
        await asyncio.sleep(0.01)


asyncio.run(main())
dump()
