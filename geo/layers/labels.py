"""Chinese and English strings of the map page and its layers (``MAP_STRINGS``).

They live beside the layers that use them, so ``geo`` never imports ``ui``; ``ui.i18n_map``
re-exports them and ``ui.i18n`` merges them with the other pages' strings.

Keys are ``map.*`` so they cannot collide with the other pages' keys. Strings are plain text
that whoever renders them escapes, except ``map.control.measure_*``: fixed HTML fragments that
the measuring plugin shows as they are (they hold no user text). ``{n}``-style fields are
filled with ``str.format`` after the numbers have been formatted for the language.
"""

from __future__ import annotations

MAP_STRINGS: dict[str, dict[str, str]] = {
    # page
    "map.title": {"zh": "地图", "en": "Map"},
    "map.caption": {
        "zh": "阵地分布、服务覆盖范围与覆盖缺口。点击圆点查看阵地详情。",
        "en": "Venues, the areas they serve and the gaps between them. Click a dot for details.",
    },
    "map.filters": {"zh": "筛选", "en": "Filters"},
    "map.county": {"zh": "县（市）", "en": "County"},
    "map.township": {"zh": "乡镇", "en": "Township"},
    "map.kind": {"zh": "阵地类型", "en": "Venue kind"},
    "map.organization": {"zh": "群团组织", "en": "Organization"},
    "map.status": {"zh": "状态", "en": "Status"},
    "map.search": {"zh": "按名称或编码搜索", "en": "Search by name or code"},
    "map.search_help": {
        "zh": "输入阵地名称、阵地编号或行政区划代码的一部分",
        "en": "Part of a venue name, venue id or administrative code",
    },
    "map.all": {"zh": "全部", "en": "All"},
    "map.basemap": {"zh": "底图", "en": "Basemap"},
    "map.layers": {"zh": "图层", "en": "Layers"},
    "map.cluster": {"zh": "聚合村级站点", "en": "Cluster village stations"},
    "map.shown": {
        "zh": "显示 {shown} / {total} 个阵地",
        "en": "Showing {shown} of {total} venues",
    },
    "map.no_match": {
        "zh": "没有符合筛选条件的阵地；请放宽筛选条件。",
        "en": "No venue matches the filters; widen them.",
    },
    "map.radius_note": {
        "zh": "覆盖半径取自侧栏的服务标准（直线距离 = 服务半径 ÷ 绕行系数）。",
        "en": "Radii come from the service standard in the sidebar "
        "(straight-line reach = service radius ÷ detour factor).",
    },
    "map.assets_missing": {
        "zh": "地图组件尚未安装，地图无法显示。请在项目根目录运行安装命令：",
        "en": "The map's browser files are not installed, so the map cannot be shown. "
        "Run the setup command in the project folder:",
    },
    "map.assets_missing_files": {"zh": "缺少的文件：", "en": "Missing files:"},
    "map.token_needed": {
        "zh": "天地图需要密钥：请设置环境变量 VENUEMAP_TIANDITU_TOKEN 或 secrets 中的 "
        "tianditu_token。",
        "en": "Tianditu needs a key: set the environment variable VENUEMAP_TIANDITU_TOKEN or "
        "tianditu_token in secrets.",
    },
    "map.internet_note": {
        "zh": "此底图从互联网加载瓦片；内网环境请选择“无底图”。",
        "en": "This basemap loads tiles from the internet; on an intranet choose “No basemap”.",
    },
    "map.gcj_note": {
        "zh": "高德底图使用 GCJ-02 坐标，所有图层已相应偏移以便对齐。",
        "en": "Amap tiles use GCJ-02 coordinates; all layers are shifted to line up with them.",
    },
    "map.no_proposal": {
        "zh": "尚无建议选址：请先在“缺口与选址”页运行选址方案。",
        "en": "No proposed sites yet: run a siting scenario on the Gaps & siting page first.",
    },
    "map.data_error": {"zh": "数据无法加载：", "en": "The data could not be loaded:"},
    # basemaps
    "map.basemap.none": {"zh": "无底图（仅边界）", "en": "No basemap (boundaries only)"},
    "map.basemap.osm": {"zh": "OpenStreetMap", "en": "OpenStreetMap"},
    "map.basemap.tianditu_vec": {"zh": "天地图 矢量", "en": "Tianditu vector"},
    "map.basemap.tianditu_img": {"zh": "天地图 影像", "en": "Tianditu imagery"},
    "map.basemap.tianditu": {"zh": "天地图", "en": "Tianditu"},
    "map.basemap.amap": {"zh": "高德地图", "en": "Amap"},
    "map.basemap.needs_token": {"zh": "（需密钥）", "en": " (needs a key)"},
    "map.basemap.needs_internet": {"zh": "（需联网）", "en": " (needs internet)"},
    "map.basemap.annotation": {"zh": "天地图 注记", "en": "Tianditu labels"},
    # layer names (LayerControl and toggles)
    "map.layer.counties": {"zh": "县界", "en": "County boundaries"},
    "map.layer.townships": {"zh": "乡镇界（近似）", "en": "Township boundaries (approximate)"},
    "map.layer.coverage": {"zh": "服务覆盖范围", "en": "Service coverage"},
    "map.layer.uncovered": {"zh": "未覆盖村（社区）", "en": "Uncovered villages"},
    "map.layer.gaps": {"zh": "覆盖缺口", "en": "Coverage gaps"},
    "map.layer.proposed": {"zh": "规划阵地（选址）", "en": "Planned sites"},
    "map.layer.survey": {"zh": "待审核的实测位置", "en": "Surveys awaiting review"},
    "map.layer.venues": {"zh": "阵地", "en": "Venues"},
    "map.layer.access": {"zh": "可达性（供需比）", "en": "Access (supply per resident)"},
    "map.layer.rings": {"zh": "一站多圈服务圈", "en": "Service rings (one station, several)"},
    "map.layer.level": {"zh": "{level}阵地", "en": "{level} venues"},
    "map.layer.coverage_level": {"zh": "{level}覆盖", "en": "{level} coverage"},
    # tooltips, popups
    "map.field.name": {"zh": "名称", "en": "Name"},
    "map.field.kind": {"zh": "类型", "en": "Kind"},
    "map.field.level": {"zh": "层级", "en": "Level"},
    "map.field.organizations": {"zh": "群团组织", "en": "Organizations"},
    "map.field.services": {"zh": "服务内容", "en": "Services"},
    "map.field.address": {"zh": "地址", "en": "Address"},
    "map.field.status": {"zh": "状态", "en": "Status"},
    "map.field.position": {"zh": "位置", "en": "Position"},
    "map.field.id": {"zh": "编号", "en": "ID"},
    "map.field.code": {"zh": "代码", "en": "Code"},
    "map.field.county": {"zh": "所属县", "en": "County"},
    "map.field.township": {"zh": "所属乡镇", "en": "Township"},
    "map.field.population": {"zh": "人口", "en": "Population"},
    "map.field.area": {"zh": "面积", "en": "Area"},
    "map.field.radius": {"zh": "覆盖半径", "en": "Radius"},
    "map.field.rank": {"zh": "排序", "en": "Rank"},
    "map.field.gap_value": {"zh": "未覆盖人口", "en": "Uncovered population"},
    "map.field.covers": {"zh": "新增覆盖人口", "en": "Newly covered population"},
    "map.field.moved": {"zh": "移动 {m} 米", "en": "moves {m} m"},
    "map.field.moved_m": {"zh": "移动距离（米）", "en": "Moved (m)"},
    "map.field.accuracy_m": {"zh": "定位精度（米）", "en": "Accuracy (m)"},
    "map.field.flagged": {"zh": "需复核", "en": "Check"},
    "map.position.illustrative": {
        "zh": "示意（非实测位置）",
        "en": "Illustrative (not a surveyed position)",
    },
    "map.position.surveyed": {"zh": "实测", "en": "Surveyed"},
    "map.approximate": {"zh": "近似", "en": "approximate"},
    "map.approximate_suffix": {"zh": "（近似）", "en": " (approximate)"},
    "map.approximate_note": {
        "zh": "近似边界：由乡镇驻地推算，仅供参考",
        "en": "Approximate boundary derived from the township seat, for orientation only",
    },
    "map.illustrative_population": {"zh": "人口为示意数据", "en": "population is illustrative"},
    "map.people": {"zh": "{n} 人", "en": "{n} people"},
    "map.km2": {"zh": "{n} 平方千米", "en": "{n} km²"},
    "map.km": {"zh": "{n} 千米", "en": "{n} km"},
    "map.none": {"zh": "—", "en": "—"},
    # legend
    "map.legend.title": {"zh": "图例", "en": "Legend"},
    "map.legend.county": {"zh": "县界", "en": "County boundary"},
    "map.legend.township": {"zh": "乡镇界（近似）", "en": "Township boundary (approximate)"},
    "map.legend.coverage": {
        "zh": "{level}覆盖范围（{radius}）",
        "en": "{level} coverage ({radius})",
    },
    "map.legend.coverage_cells": {
        "zh": "{level}覆盖范围（{radius}，按约 {edge} 六边形近似）",
        "en": "{level} coverage ({radius}, approximated by hexagons of ~{edge})",
    },
    "map.legend.uncovered": {"zh": "未覆盖村（社区）", "en": "Uncovered village / community"},
    "map.legend.gaps": {
        "zh": "覆盖缺口（未覆盖人口）",
        "en": "Coverage gap (uncovered population)",
    },
    "map.legend.proposed": {"zh": "规划阵地（选址）", "en": "Planned site"},
    "map.legend.planned_area": {
        "zh": "规划阵地服务范围（{radius}）",
        "en": "Planned site service area ({radius})",
    },
    "map.legend.illustrative": {
        "zh": "空心圆点：示意位置",
        "en": "Hollow dot: illustrative position",
    },
    # venue cells (analysis.aggregate: counts per hexagon instead of markers)
    "map.layer.venue_cells": {"zh": "阵地数量（六边形汇总）", "en": "Venue counts (hexagons)"},
    "map.cells.count": {"zh": "{n} 个阵地", "en": "{n} venues"},
    "map.cells.level1": {"zh": "州级", "en": "prefecture"},
    "map.cells.level2": {"zh": "县级", "en": "county"},
    "map.cells.level3": {"zh": "乡镇级", "en": "township"},
    "map.cells.level4": {"zh": "村（社区）级", "en": "village"},
    "map.cells.illustrative": {
        "zh": "其中 {n} 个为示意位置",
        "en": "{n} at illustrative positions",
    },
    "map.legend.cells_illustrative": {
        "zh": "虚线六边形：含示意位置的阵地",
        "en": "Dashed hexagon: holds venues at illustrative positions",
    },
    "map.cells.note": {
        "zh": "阵地超过 {limit} 个，按六边形汇总显示数量；放大或筛选至 {limit} 个以内可逐个查看。",
        "en": "More than {limit} venues: counts per hexagon are shown; filter to {limit} or "
        "fewer to see each venue.",
    },
    # controls
    "map.control.fullscreen": {"zh": "全屏", "en": "Full screen"},
    "map.control.exit_fullscreen": {"zh": "退出全屏", "en": "Exit full screen"},
    "map.control.measure_on": {"zh": "测量距离", "en": "Measure distance"},
    "map.control.measure_off": {"zh": "结束测量", "en": "Stop measuring"},
    "map.control.measure_clear": {"zh": "清除测量", "en": "Clear measurements"},
    "map.control.measure_finish": {
        "zh": "单击<b>结束测量</b><br>",
        "en": "Click to <b>finish</b><br>",
    },
    "map.control.measure_delete": {
        "zh": "按住 Shift 单击<b>删除点</b>",
        "en": "Shift-click to <b>delete the point</b>",
    },
    "map.control.measure_move": {
        "zh": "拖动<b>移动点</b><br>",
        "en": "Drag to <b>move the point</b><br>",
    },
    "map.control.measure_resume": {
        "zh": "<br>按住 Ctrl 单击<b>继续测量</b>",
        "en": "<br>Ctrl-click to <b>resume</b>",
    },
    "map.control.measure_add": {
        "zh": "按住 Ctrl 单击<b>插入点</b>",
        "en": "Ctrl-click to <b>add a point</b>",
    },
}
