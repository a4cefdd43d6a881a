"""Smoke run: start an MCP server over stdio with the official Python client,
list its tools and ask a couple of questions. Usage: mcp_smoke.py CMD [ARGS...]"""

import asyncio
import sys

from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client


async def main(cmd: str, args: list[str]) -> None:
    params = StdioServerParameters(command=cmd, args=args)
    async with stdio_client(params) as (read, write):
        async with ClientSession(read, write) as session:
            init = await session.initialize()
            print(f"initialized: {init.serverInfo.name} {init.serverInfo.version}")
            tools = (await session.list_tools()).tools
            print(f"{len(tools)} tools: {', '.join(t.name for t in tools)}")
            resources = (await session.list_resources()).resources
            prompts = (await session.list_prompts()).prompts
            print(f"{len(resources)} resources: {', '.join(str(r.uri) for r in resources)}")
            print(f"{len(prompts)} prompts: {', '.join(p.name for p in prompts)}")
            for name, arguments in [("tp_auth_status", {}), ("tp_training_load_summary", {"days": 28}),
                                    ("tp_get_metrics", {"days": 14})]:
                result = await session.call_tool(name, arguments)
                print(f"\n--- {name} {arguments} (isError={result.isError})")
                print(result.content[0].text[:1500])


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2:]))
