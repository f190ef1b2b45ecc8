using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;

namespace Scep.SampleHost.WebConsole;

/// <summary>
/// The console's one style sheet, served from the assembly (no static files, no front-end build). A file of its own
/// rather than inline styles: the Content-Security-Policy allows styles from the host only.
/// </summary>
internal static class ConsoleStyles
{
    public const string Path = ConsoleOptions.PathBase + "/console.css";

    private const string Css = """
        :root { --fg: #1b1f24; --muted: #57606a; --line: #d0d7de; --accent: #0b5cad; --bad: #a40e26; --ok: #116329; --bg: #f6f8fa; }
        * { box-sizing: border-box; }
        body { margin: 0; font: 15px/1.45 system-ui, sans-serif; color: var(--fg); background: #fff; }
        header { display: flex; align-items: center; gap: 1.5rem; padding: .6rem 1.2rem; background: #24292f; color: #fff; }
        header .brand { font-weight: 600; }
        nav ul { display: flex; gap: 1rem; margin: 0; padding: 0; list-style: none; }
        nav a { color: #fff; text-decoration: none; padding: .2rem .1rem; }
        nav a[aria-current="page"] { border-bottom: 2px solid #fff; }
        header .user { margin-left: auto; display: flex; gap: .6rem; align-items: center; }
        main { padding: 1rem 1.2rem 2rem; max-width: 1200px; }
        h1 { font-size: 1.5rem; margin: .4rem 0 1rem; }
        h2 { font-size: 1.15rem; margin: 1.4rem 0 .5rem; }
        table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; }
        th, td { text-align: left; padding: .35rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
        th { background: var(--bg); font-weight: 600; }
        td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
        code, .mono { font-family: ui-monospace, monospace; font-size: .92em; word-break: break-all; }
        form.inline { display: inline; }
        form.card, .card { border: 1px solid var(--line); border-radius: 6px; padding: .8rem 1rem; margin: .6rem 0 1rem; background: var(--bg); }
        .field { margin: .4rem 0; }
        label { display: inline-block; min-width: 15rem; font-weight: 500; }
        input, select, button { font: inherit; padding: .3rem .5rem; border: 1px solid var(--line); border-radius: 4px; }
        button { background: var(--accent); color: #fff; border-color: var(--accent); cursor: pointer; }
        button.secondary { background: #fff; color: var(--accent); }
        button.danger { background: var(--bad); border-color: var(--bad); }
        :focus-visible { outline: 3px solid #f2a900; outline-offset: 2px; }
        .message { padding: .6rem .9rem; border-radius: 6px; margin: .6rem 0; }
        .message.error { background: #ffebe9; border: 1px solid var(--bad); }
        .message.ok { background: #dafbe1; border: 1px solid var(--ok); }
        .secret { font: 600 1.4rem ui-monospace, monospace; letter-spacing: .08em; padding: .5rem .8rem; background: #fff8c5; border: 1px solid #d4a72c; display: inline-block; }
        .tiles { display: flex; flex-wrap: wrap; gap: 1rem; }
        .tile { border: 1px solid var(--line); border-radius: 6px; padding: .7rem 1rem; min-width: 14rem; background: var(--bg); }
        .tile .value { font-size: 1.6rem; font-weight: 600; }
        .muted { color: var(--muted); }
        .chart { max-width: 100%; height: auto; }
        .chart .bar { fill: var(--accent); }
        .chart .axis { stroke: var(--muted); }
        .chart text { fill: var(--muted); font-size: 10px; }
        .pager { display: flex; gap: 1rem; }
        .signin { max-width: 26rem; margin: 3rem auto; }
        .signin label { display: block; }
        .signin input { width: 100%; }
        .visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
        """;

    public static Task Write(HttpContext context)
    {
        context.Response.ContentType = "text/css; charset=utf-8";
        return context.Response.WriteAsync(Css, context.RequestAborted);
    }
}
