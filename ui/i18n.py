"""Every label of the dashboard in Chinese (default) and English, and how numbers are written.

``t(key, lang)`` looks a label up; a key missing in either language raises a KeyError that
names it, so a test catches it instead of the screen showing ``ov.title``. Labels of kinds,
organizations, statuses and levels come from :mod:`geo.schema` (one spelling for the importer,
the store and the screen). The map helper's ``ui/i18n_map.py`` (``MAP_STRINGS``) is merged in
when present. Numbers: ``fmt_pct(0.853, lang)`` -> ``85.3%``; ``fmt_count(1226, "people",
lang)`` -> ``1,226 人`` / ``1,226 people``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from types import MappingProxyType

from geo import schema

LANGS: tuple[str, ...] = ("zh", "en")

#: key -> (Chinese, English). Placeholders in braces are filled by ``t(key, lang, **values)``.
_STRINGS: dict[str, tuple[str, str]] = {
    # navigation and chrome
    "nav.overview": ("总览", "Overview"),
    "nav.map": ("地图", "Map"),
    "nav.gaps": ("缺口与选址", "Gaps & siting"),
    "nav.data": ("数据", "Data"),
    "nav.about": ("关于", "About"),
    "nav.vitality": ("阵地效能", "Vitality"),
    # 阵地效能 Vitality (issue 10)
    "vit.title": ("阵地效能", "Venue vitality"),
    "vit.intro": ("有阵地无活动：近 {months} 个月（截至 {as_of}）没有举办活动的阵地为“空壳”阵地。",
                  "A venue but no activity: venues that held nothing in the {months} months "
                  "up to {as_of} are hollow."),
    "vit.months": ("统计月数", "Window (months)"),
    "vit.hollow": ("无活动阵地", "Hollow venues"),
    "vit.activities": ("活动次数", "Activities"),
    "vit.participants": ("参与人次", "Participants"),
    "vit.illustrative": ("活动数据为示意数据（source = illustrative），仅供演示。",
                         "The activities are ILLUSTRATIVE demo data (source = illustrative)."),
    "vit.none": ("尚无活动登记：用 venuemap import --layer activities 文件 导入。",
                 "No activities yet: import them with venuemap import --layer activities FILE."),
    "vit.map": ("地图：无活动阵地", "Map: hollow venues"),
    "vit.by_county": ("各县每月活动次数", "Activities per county and month"),
    "vit.by_org": ("各组织每月活动次数", "Activities per organization and month"),
    "vit.year": ("建成年份（网络发展）", "Year opened (how the network grew)"),
    "vit.open_by": ("{year} 年前建成的阵地", "Venues opened by {year}"),
    "vit.org_coverage": ("八家群团组织的覆盖", "Coverage per organization (the eight)"),
    "vit.org": ("组织", "Organization"),
    "vit.venues": ("阵地数", "Venues"),
    "vit.share": ("覆盖人口比例", "Population covered"),
    "vit.table": ("各阵地活动情况", "Activity per venue"),
    "app.title": ("{region}群团服务阵地", "{region} service venue network"),
    "chrome.language": ("语言", "Language"),
    "chrome.store": ("当前数据库", "Open store"),
    "chrome.store_missing": (
        "尚未创建（首次导入或保存时创建）；现显示内置示例名录。",
        "Not created yet (created by the first import or save); showing the bundled demo register.",
    ),
    "chrome.illustrative_badge": ("示意数据", "Illustrative data"),
    "chrome.illustrative_venues": ("阵地位置为示意。", "Venue locations are illustrative."),
    "chrome.illustrative_villages": (
        "村（社区）位置与人口为示意。",
        "Village locations and population are illustrative.",
    ),
    "chrome.as_of": ("数据截至：{date}", "Data as of: {date}"),
    "chrome.as_of_illustrative": (
        "{date}（示例名录，位置为示意）",
        "{date} (example register, illustrative positions)",
    ),
    "chrome.as_of_unknown": ("未注明", "not recorded"),
    "chrome.standard": ("服务标准", "Service standard"),
    "list.sep": ("；", "; "),
    "std.county_km": ("县级阵地服务半径（公里）", "County venue radius (km)"),
    "std.township_km": ("乡镇中心服务半径（公里）", "Township centre radius (km)"),
    "std.village_km": ("村（社区）站服务半径（公里）", "Village / community station radius (km)"),
    "std.detour": ("绕行系数", "Detour factor"),
    "std.detour_help": (
        "道路距离 ≈ 绕行系数 × 直线距离；1 表示按直线计算。",
        "Road distance ≈ detour factor × straight-line distance; 1 means straight lines.",
    ),
    "common.all": ("全部", "All"),
    "common.approximate": ("（近似）", " (approximate)"),
    "common.error": ("出错了：{message}", "Something went wrong: {message}"),
    "common.yes": ("是", "yes"),
    "common.no": ("否", "no"),
    # units (fmt_count)
    "unit.people": ("{n} 人", "{n} people"),
    "unit.venues": ("{n} 个", "{n} venues"),
    "unit.villages": ("{n} 个", "{n} villages"),
    "unit.townships": ("{n} 个", "{n} townships"),
    "unit.rows": ("{n} 行", "{n} rows"),
    "unit.sites": ("{n} 处", "{n} sites"),
    # overview
    "ov.title": ("总览", "Overview"),
    "ov.subtitle": (
        "{region}四级群团服务阵地网络的覆盖情况",
        "Coverage of {region}'s four-level network of service venues",
    ),
    "ov.kpi_townships": ("有服务中心的乡镇", "Townships with a service centre"),
    "ov.kpi_villages": ("有服务站的村（社区）", "Villages / communities with a station"),
    "ov.kpi_enterprise": ("企业职工之家", "Enterprise workers' homes"),
    "ov.kpi_population": (
        "覆盖人口（县、乡、村三级）",
        "Population covered (county, township, village)",
    ),
    "ov.people_of": ("{covered}，共 {total}", "{covered} of {total}"),
    "ov.population_illustrative": (
        "⚠ 村（社区）人口为示意数据（由各县普查人口按规则分配）",
        "⚠ village population is illustrative (apportioned from county census totals)",
    ),
    "ov.by_level": ("各级阵地覆盖人口", "Population covered by level"),
    "ov.by_county": ("分县（市）统计", "By county"),
    "ov.chart_title": ("各县（市）人口覆盖率", "Share of population covered, by county"),
    "ov.choropleth": ("各乡镇人口覆盖率", "Share of population covered, by township"),
    "ov.choropleth_note": (
        "乡镇范围为近似（由乡镇驻地推算的泰森多边形，裁剪至县界），非官方边界。",
        "Township areas are approximate (Voronoi cells of township seats clipped to counties), "
        "not official boundaries.",
    ),
    "ov.checks": ("四级网络核查", "Four-level network checks"),
    "ov.equity": ("公平性（按人口加权，跨村）", "Equity (population-weighted, across villages)"),
    "ov.equity_note": (
        "洛伦兹曲线越靠近对角线越公平。覆盖 = 是否在服务半径内；可达性 = 2SFCA 人均可用容量"
        "（未填容量的阵地按类型默认值，示意）。集中指数按村人口排序（无收入数据）。",
        "The closer a Lorenz curve to the diagonal, the fairer. Coverage = within the service "
        "radius; access = 2SFCA capacity per resident (venues without a capacity use their "
        "kind's default, illustrative). Concentration index ranks villages by population "
        "(no income data).",
    ),
    "ov.gini": ("基尼系数", "Gini"),
    "ov.palma": ("帕尔玛比值", "Palma ratio"),
    "ov.ci": ("集中指数", "Concentration index"),
    "ov.coverage": ("覆盖", "Coverage"),
    "ov.access": ("可达性", "Access"),
    "ov.population_share": ("累计人口占比", "Cumulative population share"),
    "ov.value_share": ("累计份额", "Cumulative share"),
    "ov.print": ("打印与报告", "Print and report"),
    "ov.print_hint": (
        "在浏览器中打印（Ctrl+P）即得简洁版面（隐藏侧栏和按钮）；或下载 HTML 报告。",
        "Print from the browser (Ctrl+P) for a clean layout without sidebar and buttons, "
        "or download the HTML report.",
    ),
    "ov.download_report": ("下载报告（HTML）", "Download report (HTML)"),
    "chrome.region": ("区划：{name}（{code}）", "Region: {name} ({code})"),
    "chrome.no_demo": (
        "{region}没有内置示范阵地名录：请在“数据”页导入本地阵地表。",
        "{region} has no demo register: import your venue list on the Data page.",
    ),
    "chrome.demand_basis.h3_grid": (
        "本区划无村点：需求按 H3 六边形网格示意，县人口按面积均分到网格。",
        "No village points for this region: demand is an illustrative H3 grid, each county's "
        "population spread evenly over its cells.",
    ),
    "chrome.demand_basis.township_seats": (
        "本区划无村点：需求按乡镇驻地示意，县人口平均分到各乡镇。",
        "No village points for this region: demand is illustrative township seats, each "
        "county's population split equally among them.",
    ),
    "ov.report_title": ("{region}群团服务阵地覆盖报告", "{region} service venue coverage report"),
    "ov.report_map": (
        "覆盖图（村（社区）是否在服务范围内）",
        "Coverage map (villages inside or outside every venue's reach)",
    ),
    "ov.standard_used": (
        "服务标准：县级 {county} 公里，乡镇 {township} 公里，"
        "村（社区）{village} 公里，绕行系数 {detour}",
        "Service standard: county {county} km, township {township} km, "
        "village / community {village} km, detour factor {detour}",
    ),
    # levels of the network
    "level.headline": ("合计（县、乡、村三级）", "Overall (county, township, village)"),
    # table columns
    "col.county": ("县（市）", "County"),
    "col.township": ("乡镇", "Township"),
    "col.village": ("村（社区）", "Village / community"),
    "col.code": ("代码", "Code"),
    "col.name": ("名称", "Name"),
    "col.population": ("人口", "Population"),
    "col.population_covered": ("覆盖人口", "Population covered"),
    "col.share": ("覆盖率", "Share covered"),
    "col.villages": ("村（社区）数", "Villages"),
    "col.villages_covered": ("已覆盖村（社区）", "Villages covered"),
    "col.venues": ("阵地数", "Venues"),
    "col.level": ("层级", "Level"),
    "col.distance_km": ("距最近阵地（公里）", "Distance to nearest venue (km)"),
    "col.rank": ("排名", "Rank"),
    "col.check": ("核查项", "Check"),
    "col.result": ("结果", "Result"),
    "col.kind": ("类型", "Kind"),
    "col.status": ("状态", "Status"),
    "col.organizations": ("群团组织", "Organizations"),
    "col.services": ("服务内容", "Services"),
    "col.address": ("地址", "Address"),
    "col.year_opened": ("建成年份", "Year opened"),
    "col.position": ("位置来源", "Position"),
    "col.as_of": ("数据日期", "As of"),
    "col.lon": ("经度", "Longitude"),
    "col.lat": ("纬度", "Latitude"),
    "col.id": ("编号", "ID"),
    "col.name_en": ("英文名称", "English name"),
    "col.village_code": ("村代码", "Village code"),
    "col.county_code": ("县代码", "County code"),
    "col.township_code": ("乡镇代码", "Township code"),
    # four-level checks
    "check.townships_with_centre": ("有服务中心的乡镇", "Townships with a centre"),
    "check.villages_with_station": ("有服务站的村（社区）", "Villages with a station"),
    "check.stations_near_township": (
        "村（社区）站在乡镇中心服务半径内",
        "Village stations within reach of a township centre",
    ),
    "check.centres_near_county": (
        "乡镇中心在县级阵地服务半径内",
        "Township centres within reach of a county venue",
    ),
    "check.stations_other_township": (
        "村站的最近乡镇中心在本乡镇",
        "Stations whose nearest township centre is in their own township",
    ),
    "check.orphans": (
        "阵地所属乡镇、县代码有效且位置在所属县内",
        "Venues with valid township/county codes, located in their county",
    ),
    # gaps and siting
    "gaps.title": ("缺口与选址", "Gaps & siting"),
    "gaps.list": ("未覆盖的村（社区），按人口排序", "Uncovered villages, ranked by population"),
    "gaps.none": (
        "在当前服务标准下，所有村（社区）均已覆盖。",
        "Every village is covered at this standard.",
    ),
    "gaps.map": ("缺口地图", "Gap map"),
    "gaps.townships_without": ("无服务中心的乡镇", "Townships without a centre"),
    "gaps.scenario": ("选址方案", "Siting scenario"),
    "gaps.model": ("模型", "Model"),
    "gaps.model_mclp": (
        "最大覆盖（MCLP）：N 个新站覆盖最多人口",
        "Maximal coverage (MCLP): most people with N new sites",
    ),
    "gaps.model_lscp": (
        "集合覆盖（LSCP）：覆盖全部的最少站数",
        "Set covering (LSCP): fewest sites covering everyone",
    ),
    "gaps.model_pmedian": ("P 中位（p-median）：平均距离最短", "p-median: least mean distance"),
    "gaps.n": ("新增站点数 N", "New sites N"),
    "gaps.radius": ("新站服务半径（公里）", "Service radius of new sites (km)"),
    "gaps.run": ("运行", "Run"),
    "gaps.running": ("正在求解选址模型…", "Solving the siting model…"),
    "gaps.done": ("求解完成", "Solved"),
    "gaps.failed": ("求解失败", "Solving failed"),
    "gaps.not_run": (
        "选择模型、N 和半径后点击“运行”。",
        "Choose a model, N and a radius, then press Run.",
    ),
    "gaps.stale": (
        "参数已更改：以下为上次运行的结果，点击“运行”更新。",
        "Settings changed: these are the last run's results; press Run to update.",
    ),
    "gaps.baseline": ("现状", "Baseline"),
    "gaps.proposal": ("方案", "Scenario"),
    "gaps.sites": ("拟建站点", "Proposed sites"),
    "gaps.interactive": (
        "交互地图（点击站点查看详情）",
        "Interactive map (click a site for details)",
    ),
    "gaps.sites_count": ("拟建站点：{n}", "Proposed sites: {n}"),
    "gaps.newly_covered": ("新覆盖的村（社区）", "Newly covered villages"),
    "gaps.optimal": ("已证明最优", "proven optimal"),
    "gaps.not_optimal": ("未证明最优", "not proven optimal"),
    "gaps.save": ("保存为规划阵地", "Save as planned venues"),
    "gaps.save_confirm": (
        "确认将 {n} 个拟建站点以“规划”状态写入 {path}",
        "Confirm: write {n} proposed sites as planned venues into {path}",
    ),
    "gaps.confirm": ("确认写入", "Confirm and write"),
    "gaps.cancel": ("取消", "Cancel"),
    "gaps.saved": ("已保存 {n} 个规划阵地到 {path}", "Saved {n} planned venues to {path}"),
    "gaps.save_failed": ("保存失败：{message}", "Saving failed: {message}"),
    "gaps.planned_name": ("{place}（规划）", "{place} (planned)"),
    "gaps.legend_uncovered": ("未覆盖", "Uncovered"),
    "gaps.legend_covered": ("已覆盖", "Covered"),
    "gaps.legend_site": ("拟建站点", "Proposed site"),
    "gaps.legend_newly": ("新覆盖", "Newly covered"),
    "gaps.delta": ("变化", "Change"),
    # data page
    "data.title": ("数据", "Data"),
    "data.filters_note": (
        "筛选条件同时作用于下方的阵地表和下载。",
        "The filters apply to the venue table and to the downloads below.",
    ),
    "filter.county": ("县（市）", "County"),
    "filter.township": ("乡镇", "Township"),
    "filter.kind": ("类型", "Kind"),
    "filter.organization": ("群团组织", "Organization"),
    "filter.all": ("全部", "All"),
    "data.import": ("导入", "Import"),
    "data.upload": (
        "上传阵地文件（CSV、Excel、GeoJSON、GeoPackage、Shapefile 压缩包、KML）",
        "Upload a venue file (CSV, Excel, GeoJSON, GeoPackage, zipped Shapefile, KML)",
    ),
    "data.upload_hint": (
        "先检查，后写入：上传后显示逐行检查报告，确认后才写入数据库。",
        "Check first, write later: after upload you see a per-row report; nothing is written "
        "until you press Write.",
    ),
    "data.crs": ("坐标系", "Coordinate system"),
    "data.epsg": ("EPSG 代码", "EPSG code"),
    "crs.auto": ("自动识别", "Detect automatically"),
    "crs.wgs84": ("WGS84（GPS）", "WGS84 (GPS)"),
    "crs.cgcs2000": ("CGCS2000（国家2000）", "CGCS2000"),
    "crs.gcj02": ("GCJ-02（高德、腾讯）", "GCJ-02 (Amap, Tencent)"),
    "crs.bd09": ("BD-09（百度）", "BD-09 (Baidu)"),
    "crs.epsg": ("其他 EPSG 代码", "Other EPSG code"),
    "data.epsg_missing": (
        "请输入 EPSG 代码，例如 {epsg}（本区划的 CGCS2000 高斯-克吕格投影带）。",
        "Enter an EPSG code, for example {epsg} (this region's CGCS2000 Gauss-Krüger zone).",
    ),
    "data.unusable": ("无法读取该文件：{message}", "This file cannot be used: {message}"),
    "data.rows": ("读取行数", "Rows read"),
    "data.accepted": ("可导入", "Accepted"),
    "data.rejected": ("被拒绝", "Rejected"),
    "data.errors": ("错误（这些行不会导入）", "Errors (these rows will not be imported)"),
    "data.warnings": ("提醒（这些行会导入）", "Warnings (these rows will be imported)"),
    "data.col_row": ("行号", "Row"),
    "data.col_column": ("列", "Column"),
    "data.col_value": ("值", "Value"),
    "data.col_message": ("说明", "Message"),
    "data.write": ("写入 {n} 个阵地到数据库", "Write {n} venues to the store"),
    "data.replaces_demo": (
        "数据库中尚无阵地：写入后将显示你导入的阵地，不再显示示例名录。",
        "The store holds no venues yet: after writing, the dashboard shows your venues instead "
        "of the demo register.",
    ),
    "data.nothing_to_write": ("没有可导入的行。", "No row can be imported."),
    "data.policy": ("导入方式", "Import policy"),
    "data.policy_all_or_nothing": (
        "全部或不导入（有被拒绝的行时不写入）",
        "All or nothing (write nothing if any row is rejected)",
    ),
    "data.policy_skip_invalid": (
        "只导入可导入的行，跳过被拒绝的行",
        "Write the accepted rows, skip the rejected ones",
    ),
    "data.all_or_nothing_blocked": (
        "有 {rejected} 行被拒绝，按“全部或不导入”不会写入任何数据："
        "请修正文件后重新上传，或选择跳过被拒绝的行。",
        "{rejected} rows are rejected, so “all or nothing” writes nothing: fix the file and "
        "upload it again, or choose to skip the rejected rows.",
    ),
    "data.import_confirm": (
        "确认将 {n} 个阵地写入 {path}？（跳过 {skipped} 行被拒绝的行）",
        "Write {n} venues to {path}? ({skipped} rejected rows skipped)",
    ),
    "data.written": ("已写入 {n} 个阵地到 {path}", "Wrote {n} venues to {path}"),
    "data.write_failed": (
        "写入失败，数据库保持原样：{message}",
        "Writing failed; the store is unchanged: {message}",
    ),
    "data.table": ("阵地表", "Venue table"),
    "data.table_hint": (
        "显示 {n} / {total} 个阵地。可直接编辑单元格，然后点击“保存修改”。",
        "Showing {n} of {total} venues. Edit cells, then press Save changes.",
    ),
    "data.save": ("保存修改", "Save changes"),
    "data.conflict": (
        "别人已先修改了这些阵地，未保存任何修改；请刷新后重做：{message}",
        "Someone changed these venues first; nothing was saved. Reload and redo: {message}",
    ),
    "data.history": ("修改记录", "History"),
    "data.history_venue": ("阵地（留空为全部）", "Venue (empty: all)"),
    "data.history_empty": ("还没有修改记录。", "No changes recorded yet."),
    "data.undo_id": ("要撤销的变更编号", "Change to undo"),
    "data.undo": ("撤销", "Undo"),
    "data.undone": (
        "已撤销变更 {id}（记录为变更 {new}）", "Change {id} undone (recorded as {new})"
    ),
    "data.saved": ("修改已保存到 {path}", "Changes saved to {path}"),
    "data.edit_invalid": (
        "有修改不合规，尚未保存（表中的修改都还在）：",
        "Some edits are not valid; nothing was saved (your edits are still in the table):",
    ),
    "data.download": ("下载", "Download"),
    "data.layer": ("图层", "Layer"),
    "data.download_hint": (
        "将下载 {n} / {total} 个要素（按上方筛选）。",
        "{n} of {total} features will be downloaded (filtered as above).",
    ),
    "data.fmt_geojson": ("GeoJSON", "GeoJSON"),
    "data.fmt_gpkg": ("GeoPackage", "GeoPackage"),
    "data.fmt_csv": ("CSV（Excel）", "CSV (Excel)"),
    "layer.venues": ("阵地", "Venues"),
    "layer.counties": ("县（市）界", "Counties"),
    "layer.townships": ("乡镇范围（近似）", "Township areas (approximate)"),
    "layer.villages": ("村（社区）（示意位置）", "Villages (illustrative positions)"),
    "layer.coverage": ("村（社区）覆盖结果", "Village coverage"),
    "layer.gaps": ("缺口（未覆盖村）", "Gaps (uncovered villages)"),
    # about
    "about.title": ("关于", "About"),
    "about.intro": (
        "本看板展示{region}群团服务阵地（州、县、乡镇、村社区四级）的分布、覆盖与缺口，"
        "并支持选址方案比较。所有数据均在本机处理，不访问互联网。",
        "This dashboard shows the four-level network of service venues of {region} "
        "(prefecture, county, township, village/community): where they are, "
        "whom they serve, where the gaps are, and how new sites would change that. All data are "
        "processed on this machine; nothing is fetched from the internet.",
    ),
    "about.sources": ("数据来源与许可", "Data sources and licences"),
    "about.col_data": ("数据", "Data"),
    "about.col_source": ("来源", "Source"),
    "about.col_licence": ("许可", "Licence"),
    "about.src_counties": (
        "州界、县界（高德几何，已由 GCJ-02 转为 WGS84）",
        "Prefecture and county boundaries (Amap geometry, converted from GCJ-02 to WGS84)",
    ),
    "about.src_codes": (
        "乡镇、村（社区）名称与统计用区划代码（2023）",
        "Township and village names and statistical division codes (2023)",
    ),
    "about.src_seats": ("乡镇驻地坐标", "Township seat coordinates"),
    "about.src_seats_adcode": (
        "乡镇驻地坐标（核对）、城乡分类代码",
        "Township seat coordinates (cross-check), urban-rural codes",
    ),
    "about.src_population": (
        "各县 2020 年人口普查常住人口",
        "2020 census resident population per county",
    ),
    "about.src_map_assets": (
        "地图组件（随应用本地提供）",
        "Map components (served by the app itself)",
    ),
    "about.lic_mit": ("MIT", "MIT"),
    "about.lic_mit_nbs": (
        "MIT；代码源自国家统计局",
        "MIT; codes from the National Bureau of Statistics",
    ),
    "about.lic_ccby": ("CC BY 4.0（须署名）", "CC BY 4.0 (attribution required)"),
    "about.lic_bsd_mit": ("BSD-2 / MIT", "BSD-2 / MIT"),
    "about.attribution": (
        "署名：乡镇驻地坐标部分来自 GeoNames（geonames.org，CC BY 4.0）"
        "和 Vonng/adcode（CC BY 4.0）。",
        "Attribution: township seat coordinates in part from GeoNames (geonames.org, CC BY 4.0) "
        "and Vonng/adcode (CC BY 4.0).",
    ),
    "about.illustrative": ("哪些数据是示意的", "Which data are illustrative"),
    "about.ill_townships": (
        "乡镇范围：无公开的乡镇界线，图中为乡镇驻地泰森多边形裁剪至县界的近似范围。",
        "Township areas: no public township boundaries exist; the areas shown are Voronoi cells "
        "of the township seats clipped to the real county boundaries (approximate).",
    ),
    "about.ill_villages": (
        "村（社区）位置：名称和代码真实，位置为在所属乡镇范围内按规则放置的示意点。",
        "Village locations: names and codes are real; the points are placed by a fixed rule "
        "inside their township area (illustrative).",
    ),
    "about.ill_population": (
        "村（社区）人口：由各县 2020 年普查人口按规则分配，为示意数据。",
        "Village population: apportioned from the county 2020 census totals by a fixed rule "
        "(illustrative).",
    ),
    "about.ill_venues": (
        "示例阵地位置：名称、类型和数量依据工作报告，位置为示意。",
        "Demo venue locations: names, kinds and counts follow the work report; the positions "
        "are illustrative.",
    ),
    "about.replace": (
        "在“数据”页导入你自己的阵地、村（社区）或正式乡镇界线后，将替换相应的示意数据。",
        "Importing your own venues, villages or official township boundaries on the Data page "
        "replaces the corresponding illustrative data.",
    ),
    "about.offline": ("离线运行", "Works offline"),
    "about.offline_text": (
        "地图脚本和样式由本应用自身提供，不使用任何外部 CDN；使用统计已关闭；默认底图为空白背景。",
        "Map scripts and styles are served by the app itself, never from a CDN; usage "
        "statistics are off; the default basemap is a plain background.",
    ),
    "about.readme": (
        "参考数据说明（data/boundaries/README.md）",
        "Reference data notes (data/boundaries/README.md)",
    ),
    # sign-in (ui/login.py): shown only once the store has users
    "auth.title": ("登录", "Sign in"),
    "auth.intro": (
        "此数据库已启用用户，请登录后查看。",
        "This store has users: sign in to see its data.",
    ),
    "auth.name": ("用户名", "User name"),
    "auth.password": ("密码", "Password"),
    "auth.submit": ("登录", "Sign in"),
    "auth.wrong": ("用户名或密码错误。", "Wrong user name or password."),
    "auth.signed_in": ("已登录：{name}（{role}）", "Signed in: {name} ({role})"),
    "auth.logout": ("退出登录", "Sign out"),
    "auth.no_export": (
        "你的角色（{role}）不能导出数据；导出需要分析员或以上角色。",
        "Your role ({role}) cannot export; exports need the analyst role or above.",
    ),
    # survey (实测采集)
    "data.survey": ("实测采集", "Survey"),
    "survey.links": ("采集链接与二维码", "Survey links and QR sheet"),
    "survey.links_hint": (
        "为上方筛选出的每个阵地生成一个专用链接。阵地工作人员在现场用手机打开，提交实际位置；"
        "提交后需规划人员审核才会改动名录。",
        "One private link per venue filtered above. Staff open it on a phone at the venue and "
        "submit its real position; nothing changes the register until a planner approves.",
    ),
    "survey.base_url": ("采集服务地址（手机可访问）", "Survey server address (as phones reach it)"),
    "survey.confirm_reissue": (
        "我知道：重新生成后，这些阵地以前打印的二维码将失效",
        "I understand: issuing links again makes these venues' earlier printed codes stop working",
    ),
    "survey.issue": ("生成链接", "Issue links"),
    "survey.issued": ("已生成 {n} 个采集链接。", "{n} survey links issued."),
    "survey.sheet_title": ("群团服务阵地位置采集", "Venue position survey"),
    "survey.download_sheet": ("下载二维码打印页（HTML）", "Download the QR sheet (HTML)"),
    "survey.download_links": ("下载链接清单（CSV）", "Download the links (CSV)"),
    "survey.pending": ("待审核的实测位置", "Surveys awaiting review"),
    "survey.none_pending": ("暂无待审核的实测位置。", "No survey is waiting for review."),
    "survey.choose": ("选择要处理的采集记录", "Choose surveys to review"),
    "survey.choose_placeholder": ("请选择", "Choose"),
    "survey.confirm_review": ("我已核对所选记录", "I have checked the surveys chosen"),
    "survey.approve": ("批准（更新阵地位置）", "Approve (move the venues)"),
    "survey.reject": ("驳回", "Reject"),
    "survey.reviewed": ("已批准 {approved} 条，驳回 {rejected} 条。",
                        "{approved} approved, {rejected} rejected."),
    "survey.col_id": ("编号", "No."),
    "survey.col_venue": ("阵地", "Venue"),
    "survey.col_moved": ("移动距离（米）", "Moved (m)"),
    "survey.col_accuracy": ("定位精度（米）", "Accuracy (m)"),
    "survey.col_check": ("核查", "Check"),
    "survey.col_submitted": ("提交时间（UTC）", "Submitted (UTC)"),
    "survey.col_surveyed": ("已实测 / 总数", "Surveyed / total"),
    "survey.flag_other_county": ("位于其他县", "in another county"),
    "survey.flag_far": ("距所属乡镇超过 5 公里", "over 5 km from its township"),
    "survey.progress": ("阵地位置已实测 {n} / {total}（{share}）",
                        "venue positions surveyed: {n} / {total} ({share})"),
    "survey.by_county_kind": ("实测进度（按县、类型）", "Survey progress by county and kind"),
}


def _merge_map_strings(own: dict[str, tuple[str, str]]) -> dict[str, tuple[str, str]]:
    """Return ``own`` plus the map helper's MAP_STRINGS (ours win on a clash)."""
    try:
        from ui.i18n_map import MAP_STRINGS
    except ImportError:
        return own
    merged: dict[str, tuple[str, str]] = {}
    for key, value in MAP_STRINGS.items():
        if isinstance(value, Mapping):
            merged[key] = (str(value.get("zh", "")), str(value.get("en", "")))
        else:
            zh, en = value
            merged[key] = (str(zh), str(en))
    merged.update(own)
    return merged


#: Read-only view of every label: shared by all sessions, so it must never change at run time.
STRINGS: Mapping[str, tuple[str, str]] = MappingProxyType(_merge_map_strings(_STRINGS))

_VOCABULARIES: Mapping[str, tuple[schema.Term, ...]] = MappingProxyType(
    {
        "kinds": schema.KINDS,
        "organizations": schema.ORGANIZATIONS,
        "statuses": schema.STATUSES,
        "positions": schema.POSITIONS,
        "levels": schema.LEVELS,
    }
)


def t(key: str, lang: str, **values: object) -> str:
    """Return the label ``key`` in ``lang`` ('zh' or 'en'), with ``{placeholders}`` filled.

    Raises
    ------
    KeyError
        If the key is unknown or has no text in ``lang`` (so tests catch it).
    ValueError
        If ``lang`` is not one of :data:`LANGS`.
    """
    if lang not in LANGS:
        raise ValueError(f"language should be one of {LANGS}, got {lang!r}")
    try:
        text = STRINGS[key][LANGS.index(lang)]
    except KeyError:
        raise KeyError(f"no label {key!r}: add it to ui/i18n.py _STRINGS in zh and en") from None
    if not text:
        raise KeyError(f"label {key!r} has no {lang} text: fill it in ui/i18n.py")
    return text.format(**values) if values else text


def fmt_pct(x: float | None, lang: str, digits: int = 1) -> str:
    """Return a share 0..1 as a percentage ('85.3%'); None or NaN as a dash."""
    if lang not in LANGS:
        raise ValueError(f"language should be one of {LANGS}, got {lang!r}")
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "—"
    return f"{100 * float(x):.{digits}f}%"


def fmt_count(n: float | None, unit_key: str, lang: str) -> str:
    """Return a count with its unit: ``fmt_count(1226, 'people', 'zh')`` -> '1,226 人'."""
    if n is None or (isinstance(n, float) and math.isnan(n)):
        return "—"
    return t(f"unit.{unit_key}", lang, n=f"{round(float(n)):,}")


def fmt_km(distance_m: float | None, lang: str) -> str:
    """Return a distance in metres as kilometres with one decimal ('12.3')."""
    if distance_m is None or (isinstance(distance_m, float) and math.isnan(distance_m)):
        return "—"
    return f"{float(distance_m) / 1000:,.1f}"


_MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")


def md_escape(text: object) -> str:
    """Return ``text`` with Markdown (and LaTeX ``$``) syntax escaped, to show it as typed.

    Error messages quote file names and cell values from users' files; in ``st.error`` or
    ``st.markdown`` an unescaped ``![x](http://…)`` would make the browser fetch an image.
    """
    return _MARKDOWN_SPECIALS.sub(r"\\\1", str(text))


def vocab_codes(vocabulary: str) -> list[str]:
    """Return the codes of a geo.schema vocabulary ('kinds', 'organizations', 'statuses', ...)."""
    return schema.codes(_vocabulary(vocabulary))


def vocab_label(vocabulary: str, code: object, lang: str) -> str:
    """Return the label of ``code`` in ``lang``; a list 'a;b' gives the labels joined."""
    if code is None or (isinstance(code, float) and math.isnan(code)):
        return ""
    terms = _vocabulary(vocabulary)
    parts = [p for p in str(code).split(schema.LIST_SEPARATOR) if p.strip()]
    return t("list.sep", lang).join(schema.label(terms, p.strip(), lang) for p in parts)


def _vocabulary(name: str) -> tuple[schema.Term, ...]:
    try:
        return _VOCABULARIES[name]
    except KeyError:
        raise KeyError(f"unknown vocabulary {name!r}; known: {', '.join(_VOCABULARIES)}") from None
