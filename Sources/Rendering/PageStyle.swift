/// The page's only stylesheet, inlined. Colours are CSS variables so dark mode
/// (prefers-color-scheme) and print restyle every chart without touching the SVG.
enum PageStyle {
    static let css = """
        :root{--bg:#fbfbfa;--fg:#1d2125;--muted:#5d6670;--card:#ffffff;--border:#d9dde2;--grid:#e8ebee;--note:#fff6dc;--note-border:#e5c25c;
        --c0:#2f6fd6;--c1:#d9632b;--c2:#2b9a66;--c3:#a24bc2;--c4:#c23b5a;--c5:#7c8a2e;--good:#1f7a4d;--bad:#b3261e;color-scheme:light dark}
        @media (prefers-color-scheme:dark){:root{--bg:#15181c;--fg:#e4e7eb;--muted:#9aa4ae;--card:#1e2228;--border:#343a42;--grid:#2a3037;--note:#3a3320;--note-border:#8a7432;
        --c0:#6ea2ff;--c1:#ff9a5c;--c2:#4fd08f;--c3:#cf8bff;--c4:#ff7a98;--c5:#c4d160;--good:#5fd39a;--bad:#ff8a80}}
        *{box-sizing:border-box}
        body{margin:0;background:var(--bg);color:var(--fg);font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
        main{max-width:1240px;margin:0 auto;padding:24px 20px 60px}
        h1{font-size:26px;margin:0 0 4px}h2{font-size:21px;margin:36px 0 10px;padding-top:8px;border-top:2px solid var(--border)}
        h3{font-size:16px;margin:22px 0 8px;color:var(--muted);text-transform:uppercase;letter-spacing:.04em}
        p{margin:6px 0}.muted{color:var(--muted)}code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:13px}
        pre{background:var(--card);border:1px solid var(--border);border-radius:6px;padding:10px;overflow-x:auto;white-space:pre-wrap;word-break:break-all}
        nav.toc{margin:12px 0 0;display:flex;flex-wrap:wrap;gap:6px 14px}nav.toc a{color:var(--c0)}
        .answer{background:var(--card);border:1px solid var(--border);border-left:5px solid var(--c2);border-radius:8px;padding:14px 18px;margin:10px 0 14px}
        .answer.none{border-left-color:var(--muted)}.answer .headline{font-size:20px;margin:0 0 8px}.answer .big{font-size:30px;font-weight:700;color:var(--c2)}
        .kpis{display:flex;flex-wrap:wrap;gap:10px 28px;margin:8px 0}.kpi .v{font-size:19px;font-weight:650}.kpi .k{font-size:12px;color:var(--muted);text-transform:uppercase;letter-spacing:.03em}
        .saving{color:var(--good)}.worse{color:var(--bad)}
        .note{background:var(--note);border:1px solid var(--note-border);border-radius:6px;padding:8px 12px;margin:8px 0}
        .grid2{display:grid;grid-template-columns:repeat(auto-fit,minmax(520px,1fr));gap:14px}
        figure.chart{margin:0;background:var(--card);border:1px solid var(--border);border-radius:8px;padding:10px 12px;break-inside:avoid}
        figure.chart figcaption{font-weight:650;margin-bottom:4px}
        figure.chart svg{width:100%;height:auto;display:block}
        svg text{fill:var(--fg);font-size:11px}svg text.label{fill:var(--muted);font-size:12px}
        svg .grid line{stroke:var(--grid);stroke-width:1}svg .axis line{stroke:var(--muted);stroke-width:1}
        svg .line{fill:none;stroke-width:2.2}svg .trace{fill:none;stroke-width:7;opacity:.28;stroke-linejoin:round}svg .dashed{stroke-dasharray:6 4}svg .band{stroke:none;opacity:.2}
        svg .bar text.value{stroke:none;fill:var(--fg);font-size:10px}svg .pt circle,svg circle.pt{opacity:.45;stroke:none}svg .bar rect{opacity:.8}
        svg .marker circle{stroke:var(--card);stroke-width:2}svg .marker text{font-weight:650;font-size:12px;stroke:var(--card);stroke-width:3px;paint-order:stroke}
        figure.chart p{font-size:13px}
        .c0{stroke:var(--c0);fill:var(--c0)}.c1{stroke:var(--c1);fill:var(--c1)}.c2{stroke:var(--c2);fill:var(--c2)}
        .c3{stroke:var(--c3);fill:var(--c3)}.c4{stroke:var(--c4);fill:var(--c4)}.c5{stroke:var(--c5);fill:var(--c5)}
        svg .line.c0,svg .line.c1,svg .line.c2,svg .line.c3,svg .line.c4,svg .line.c5{fill:none}
        ul.legend{list-style:none;margin:4px 0 0;padding:0;display:flex;flex-wrap:wrap;gap:4px 16px;font-size:13px}
        .key{display:inline-block;width:18px;height:10px;margin-right:6px;vertical-align:middle;border:0}
        .key.line{height:3px}.key.trace{height:7px;opacity:.35}.key.dash{height:0;border-top:3px dashed}.key.band{opacity:.3}.key.dot{width:10px;height:10px;border-radius:50%}
        .key.c0{background:var(--c0);border-color:var(--c0)}.key.c1{background:var(--c1);border-color:var(--c1)}.key.c2{background:var(--c2);border-color:var(--c2)}
        .key.c3{background:var(--c3);border-color:var(--c3)}.key.c4{background:var(--c4);border-color:var(--c4)}.key.c5{background:var(--c5);border-color:var(--c5)}
        .key.dash.c0,.key.dash.c1,.key.dash.c2,.key.dash.c3,.key.dash.c4,.key.dash.c5{background:none}
        details.data{margin-top:6px;font-size:13px}details.data summary{cursor:pointer;color:var(--muted)}
        .scroll{overflow-x:auto}table{border-collapse:collapse;margin:6px 0;font-size:13px;font-variant-numeric:tabular-nums}
        th,td{border-bottom:1px solid var(--border);padding:3px 10px 3px 0;text-align:left;vertical-align:top}th{font-weight:650}
        td.n,th.n{text-align:right;padding-left:10px}caption{text-align:left;font-weight:650;padding:4px 0}
        section.function~section.function,section.run{break-before:page}.answer{break-inside:avoid}
        @media (prefers-color-scheme:dark){svg .trace{opacity:.42}svg .band{opacity:.3}}
        @media print{:root{--bg:#fff;--fg:#000;--muted:#444;--card:#fff;--border:#bbb;--grid:#ddd;--note:#fff;--note-border:#888;
        --c0:#1f5bbf;--c1:#c4501a;--c2:#1e7f52;--c3:#8a37aa;--c4:#a82a47;--c5:#5f6c1c}
        body{font-size:11pt}main{max-width:none;padding:0}nav.toc{display:none}.grid2{display:block}figure.chart{margin:0 0 10px;border:none;padding:0}
        details.data{display:none}a{color:inherit;text-decoration:none}h2{break-after:avoid}}
        """
}
