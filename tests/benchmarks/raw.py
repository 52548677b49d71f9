"""The raw figures `make benchmark` sets Kotopolku's beside, measured on the same machine in the
same run: RabbitMQ's persistent messages with confirms, Temporal's one-activity workflows, and
Temporal's updates that run one activity (the shape of a staff command through Temporal)."""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from datetime import timedelta

import aio_pika
from temporalio import activity, workflow
from temporalio.client import Client
from temporalio.worker import UnsandboxedWorkflowRunner, Worker

from measuring import CpuUse
from steady_load import summary


# --- raw RabbitMQ -------------------------------------------------------------------------------


async def raw_rabbitmq_burst(amqp_url: str, count: int) -> dict:
    """`count` persistent messages published with confirms (pipelined) and consumed: messages/s."""
    connection = await aio_pika.connect(amqp_url)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        queue = await channel.declare_queue(f"benchmark-{uuid.uuid4().hex[:6]}", durable=True, auto_delete=True)
        received, done = 0, asyncio.Event()

        async def on_message(message: aio_pika.abc.AbstractIncomingMessage) -> None:
            nonlocal received
            await message.ack()
            received += 1
            if received == count:
                done.set()

        await queue.consume(on_message)
        started = time.perf_counter()
        await asyncio.gather(*(
            channel.default_exchange.publish(
                aio_pika.Message(b"{}", delivery_mode=aio_pika.DeliveryMode.PERSISTENT), routing_key=queue.name
            )
            for _ in range(count)
        ))
        await asyncio.wait_for(done.wait(), timeout=120)
        elapsed = time.perf_counter() - started
    return {"what": f"raw RabbitMQ: {count} persistent messages, confirmed and consumed", "count": count, "per_second": round(count / elapsed, 1)}


# --- raw Temporal -------------------------------------------------------------------------------


@activity.defn(name="benchmark_step")
async def step() -> str:
    return "done"


@workflow.defn(name="BenchmarkOneActivity")
class OneActivity:
    @workflow.run
    async def run(self) -> str:
        return await workflow.execute_activity(step, start_to_close_timeout=timedelta(seconds=30))


async def raw_temporal_burst(address: str, count: int, server_pids: list[int]) -> dict:
    """`count` one-activity workflows started at once on the server, each awaited: workflows/s,
    and the CPU time each cost the server and the client with its worker (this process)."""
    cpu = CpuUse({"temporal_server": server_pids, "client_and_worker": [os.getpid()]})
    client = await Client.connect(address)
    # Unsandboxed: the figure is the server's and the SDK's speed, not the sandbox's.
    async with Worker(client, task_queue="benchmark", workflows=[OneActivity], activities=[step], workflow_runner=UnsandboxedWorkflowRunner()):
        await cpu.measure_idle()
        cpu.start()
        started = time.perf_counter()
        await asyncio.gather(*(
            client.execute_workflow(OneActivity.run, id=f"benchmark-{uuid.uuid4()}", task_queue="benchmark") for _ in range(count)
        ))
        elapsed = time.perf_counter() - started
        cpu.stop()
    return {
        "what": f"raw Temporal: {count} one-activity workflows at once", "count": count, "per_second": round(count / elapsed, 1),
        "cpu_ms_each": cpu.per_item_ms(count),
    }


@workflow.defn(name="BenchmarkCommands")
class Commands:
    """Takes updates that each run one activity before they answer: the shape of a staff command
    through Temporal (Kotopolku's adds the case check, a local activity and the projection's wait)."""

    def __init__(self) -> None:
        self.done = False

    @workflow.run
    async def run(self) -> None:
        await workflow.wait_condition(lambda: self.done)

    @workflow.update(name="benchmark_command")
    async def command(self) -> str:
        return await workflow.execute_activity(step, start_to_close_timeout=timedelta(seconds=30))

    @workflow.signal(name="benchmark_done")
    def finish(self) -> None:
        self.done = True


async def raw_temporal_commands(address: str, staff: int, commands: int, server_pids: list[int]) -> dict:
    """`staff` clients at once, each sending updates to its share of `commands` workflows, the next
    as soon as the last is answered, as the staff round does (each client's first update is not
    counted): the floor that Temporal itself sets for staff commands on this machine."""
    cpu = CpuUse({"temporal_server": server_pids, "client_and_worker": [os.getpid()]})
    client = await Client.connect(address)
    latencies: list[float] = []

    async def command(handle) -> float:
        began = time.perf_counter()
        await handle.execute_update(Commands.command)
        return time.perf_counter() - began

    async def one_client(share: list) -> None:
        for handle in share[1:]:
            latencies.append(await command(handle))

    async with Worker(client, task_queue="benchmark-commands", workflows=[Commands], activities=[step], workflow_runner=UnsandboxedWorkflowRunner()):
        handles = [
            await client.start_workflow(Commands.run, id=f"benchmark-commands-{uuid.uuid4()}", task_queue="benchmark-commands")
            for _ in range(commands + staff)
        ]
        shares = [handles[i::staff] for i in range(staff)]
        await asyncio.gather(*(command(share[0]) for share in shares))
        await cpu.measure_idle()
        cpu.start()
        started = time.perf_counter()
        await asyncio.gather(*(one_client(share) for share in shares))
        elapsed = time.perf_counter() - started
        cpu.stop()
        await asyncio.gather(*(handle.signal(Commands.finish) for handle in handles))
    result = summary(f"raw Temporal: {staff} clients at once, each giving updates that run one activity", latencies, elapsed)
    result["cpu_ms_each"] = cpu.per_item_ms(len(latencies))
    return result
