/** The dashboard's one stylesheet, served from /admin/dashboard.css (the pages' policy allows no inline style). */
export const DASHBOARD_CSS = `
*, *::before, *::after { box-sizing: border-box; }
body { font: 15px/1.45 system-ui, sans-serif; margin: 0; color: #1b1b1b; background: #f6f7f9; }
a { color: #0b57d0; } a:focus-visible, button:focus-visible, input:focus-visible, select:focus-visible, textarea:focus-visible { outline: 3px solid #0b57d0; outline-offset: 2px; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }
.skip { position: absolute; left: -999px; } .skip:focus { left: 1rem; top: 1rem; background: #fff; padding: .5rem; z-index: 1; }
header { background: #1f2a37; color: #fff; padding: .6rem 1rem; display: flex; flex-wrap: wrap; gap: .5rem 1.5rem; align-items: center; }
header .brand { font-weight: 700; margin-right: auto; }
nav ul { list-style: none; margin: 0; padding: 0; display: flex; flex-wrap: wrap; gap: .25rem .9rem; }
header nav a { color: #fff; text-decoration: none; padding: .2rem 0; border-bottom: 2px solid transparent; }
header nav a[aria-current="page"] { border-bottom-color: #8ab4f8; }
header form { margin: 0; } header button { background: transparent; color: #fff; border: 1px solid #9aa4b2; }
main { max-width: 72rem; margin: 0 auto; padding: 1rem; }
h1 { font-size: 1.4rem; margin: .5rem 0 1rem; } h2 { font-size: 1.15rem; margin: 1.5rem 0 .5rem; }
button, .button { font: inherit; padding: .35rem .8rem; border-radius: 4px; border: 1px solid #0b57d0; background: #0b57d0; color: #fff; cursor: pointer; text-decoration: none; display: inline-block; }
input, select { font: inherit; padding: .3rem .4rem; border: 1px solid #6b7280; border-radius: 4px; background: #fff; max-width: 100%; }
label { display: inline-flex; flex-direction: column; gap: .15rem; font-size: .9rem; }
label.check { flex-direction: row; align-items: center; gap: .35rem; }
.filters { display: flex; flex-wrap: wrap; gap: .6rem 1rem; align-items: flex-end; background: #fff; padding: .8rem; border-radius: 6px; border: 1px solid #d8dce2; }
.tiles { display: grid; grid-template-columns: repeat(auto-fill, minmax(15rem, 1fr)); gap: .8rem; padding: 0; list-style: none; }
.tile { background: #fff; border: 1px solid #d8dce2; border-left: 6px solid #6b7280; border-radius: 6px; padding: .7rem .9rem; }
.tile.met { border-left-color: #2e7d4f; } .tile.missed { border-left-color: #b3261e; }
.tile h2 { font-size: .95rem; margin: 0; font-weight: 600; } .tile .actual { font-size: 1.6rem; font-weight: 700; margin: .2rem 0 0; }
.tile .target { margin: 0; color: #374151; } .tile svg { max-width: 100%; height: auto; display: block; margin-top: .3rem; }
.verdict-met { color: #1e6b41; font-weight: 600; } .verdict-missed { color: #b3261e; font-weight: 600; } .verdict-no-data { color: #4b5563; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(20rem, 1fr)); gap: 1rem; }
figure { margin: 0; background: #fff; border: 1px solid #d8dce2; border-radius: 6px; padding: .5rem; overflow-x: auto; }
figcaption { font-weight: 600; margin-bottom: .3rem; } figure svg { max-width: 100%; height: auto; }
.table-wrap { overflow-x: auto; background: #fff; border: 1px solid #d8dce2; border-radius: 6px; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: .4rem .6rem; border-bottom: 1px solid #e5e7eb; vertical-align: top; }
thead th { background: #eef0f3; font-size: .9rem; }
.pager { display: flex; gap: 1rem; margin: .8rem 0; align-items: center; }
.notice { background: #e6f4ea; border: 1px solid #2e7d4f; padding: .5rem .8rem; border-radius: 4px; }
.problem { background: #fce8e6; border: 1px solid #b3261e; padding: .5rem .8rem; border-radius: 4px; }
.badge { display: inline-block; font-size: .8rem; padding: 0 .4rem; border-radius: 3px; background: #e5e7eb; color: #1f2937; }
.badge.vip { background: #fef3c7; } .badge.breached { background: #fce8e6; color: #8c1d18; }
.transcript { list-style: none; padding: 0; margin: 0; display: flex; flex-direction: column; gap: .4rem; }
.msg { background: #fff; border: 1px solid #d8dce2; border-radius: 6px; padding: .4rem .7rem; max-width: 44rem; }
.msg.outbound { align-self: flex-end; background: #eef4ff; } .msg.internal { background: #fff8e1; border-style: dashed; }
.msg .meta { font-size: .8rem; color: #4b5563; margin: 0 0 .15rem; } .msg p.text { margin: 0; white-space: pre-wrap; overflow-wrap: anywhere; }
.files { list-style: none; margin: .2rem 0; padding: 0; display: flex; flex-direction: column; gap: .3rem; }
.files figure { padding: .3rem; } .files img { max-width: 100%; max-height: 18rem; display: block; } .files audio { width: 100%; max-width: 24rem; display: block; }
.file.missing { color: #8c1d18; } .msg .label { font-weight: 600; }
.diagram { background: #fff; border: 1px solid #d8dce2; border-radius: 6px; padding: .5rem; overflow-x: auto; }
.diagram img { max-width: none; }
.qa-form fieldset { display: flex; flex-wrap: wrap; gap: .6rem 1rem; background: #fff; border: 1px solid #d8dce2; border-radius: 6px; padding: .8rem; margin: 0 0 .8rem; }
.qa-form textarea { font: inherit; width: min(40rem, 100%); border: 1px solid #6b7280; border-radius: 4px; padding: .3rem .4rem; }
.qa-form > label { display: flex; margin-bottom: .8rem; }
.qa-form .field { display: flex; flex-direction: column; gap: .15rem; font-size: .9rem; }
.signin { max-width: 24rem; margin: 3rem auto; background: #fff; border: 1px solid #d8dce2; border-radius: 6px; padding: 1.2rem; }
.signin label { display: flex; margin-bottom: .8rem; }
@media (max-width: 40rem) {
  main { padding: .6rem; } .tiles { grid-template-columns: 1fr; }
  td, th { padding: .35rem .4rem; } .hide-narrow { display: none; }
}
`;
