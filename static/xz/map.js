/*
 * The overview map's browser side (xzsdg_geo/mapping.py writes only calls into it, with JSON data).
 *
 * - xzSetup(map, options): chrome and tools: scale bar, north arrow, attribution line with the
 *   审图号, full screen, coordinate readout (CGCS2000 lon/lat and 3° Gauss-Krüger zone 39/40 via
 *   proj4js), geodesic measure (GeographicLib on GRS80), search by ID/name, zoom to district.
 * - xzOverlay(...): one style class from its compact payload, drawn a chunk at a time.
 * - xzPlaces(map, places): district labels and the zoom-to-district select.
 * - xzLegend(map, group, html, bounds): the collapsible legend; fits the first view.
 * - xzHighlight(map, geometry, fit): outlines one feature (search, attribute table).
 *
 * State other code reads: window.xzMap, body[data-xz-pending] and the User Timing marks
 * xz-first-drawn / xz-all-drawn (tests, bench/app_draw.py), window.xzMeasured (the measure tool).
 */
(function () {
    "use strict";

    var NARROW_PX = 600; // below this map width the legend starts collapsed
    var HIGHLIGHT_PANE = "xz-highlight";
    // icons as inline SVG: no icon font to fetch, and no emoji font needed on the machine
    var ICON_FULL = '<svg viewBox="0 0 16 16" width="16" height="16" aria-hidden="true" fill="none" ' +
        'stroke="#333" stroke-width="1.8"><path d="M1 5V1h4M11 1h4v4M15 11v4h-4M5 15H1v-4"/></svg>';
    var ICON_RULER = '<svg viewBox="0 0 16 16" width="16" height="16" aria-hidden="true" fill="none" ' +
        'stroke="#333" stroke-width="1.4"><path d="M1 11L11 1l4 4L5 15z"/>' +
        '<path d="M4 8l1.5 1.5M6 6l2 2M8 4l1.5 1.5M10 2l2 2"/></svg>';
    var opts = {scale: 100000, chunk: 1500, texts: {}};
    var searchIndex = [];

    function text(key) {
        return opts.texts[key] || key;
    }

    function escapeHtml(s) {
        return String(s).replace(/[&<>"']/g, function (c) {
            return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c];
        });
    }

    // ---- drawing progress, for tests and the benchmark ----
    window.xzPending = 0;
    window.xzShown = function (name) {
        requestAnimationFrame(function () { performance.mark(name); });
    };
    window.xzCount = function (step) {
        window.xzPending += step;
        document.body.setAttribute("data-xz-pending", window.xzPending);
        if (window.xzPending === 0) {
            window.xzIdleSince = performance.now();
            window.xzShown("xz-all-drawn");
        }
    };

    // [type code, delta-coded coordinates] back to GeoJSON (mapping.encode_geometry)
    var TYPES = [null, "Point", "LineString", "Polygon", "MultiPoint", "MultiLineString", "MultiPolygon"];
    var DEPTH = [null, 0, 0, 1, 0, 1, 2];
    window.xzDecode = function (g, origin) {
        if (!Array.isArray(g)) { return g; }
        function run(a) {
            var out = [], x = origin[0], y = origin[1];
            for (var i = 0; i < a.length; i += 2) {
                x += a[i]; y += a[i + 1];
                out.push([x / opts.scale, y / opts.scale]);
            }
            return out;
        }
        function nested(a, d) {
            return d === 0 ? run(a) : a.map(function (b) { return nested(b, d - 1); });
        }
        var coords = nested(g[1], DEPTH[g[0]]);
        return {type: TYPES[g[0]], coordinates: g[0] === 1 ? coords[0] : coords};
    };

    // the first step of all layers together draws at most a chunk: the map shows at once
    var firstBudget = null;
    function firstStep(wanted) {
        if (firstBudget === null) {
            firstBudget = opts.chunk;
            setTimeout(function () { firstBudget = null; }, 0); // a new budget next time
        }
        var now = Math.min(wanted, firstBudget);
        firstBudget -= now;
        return now;
    }

    function popupTable(labels) {
        return function (target) {
            var values = target.feature.properties, rows = "";
            for (var k = 0; k < labels.length; k++) {
                rows += "<tr><th>" + labels[k] + "</th><td>" + values[k] + "</td></tr>";
            }
            return '<table class="xz-popup">' + rows + "</table>";
        };
    }

    function indexFeature(layer, feature, search, title) {
        var values = feature.properties;
        var words = search.map(function (k) { return values[k]; });
        searchIndex.push({layer: layer, title: title, words: words, key: words.join(" ").toLowerCase()});
    }

    // values and labels arrive HTML-escaped; a popup's table is built only when it opens
    // extra: {search: property indices searched, title: the layer's, zoom: zoom to a feature clicked}
    window.xzOverlay = function (map, data, style, labels, tip, attribution, rank, extra) {
        var search = extra && extra.search, title = extra && extra.title;
        var pane = "xz-pane-" + rank;
        if (!map.getPane(pane)) { map.createPane(pane).style.zIndex = 401 + rank; }
        var layer = L.geoJSON(null, {
            style: style,
            pane: pane,
            pointToLayer: function (feature, latlng) {
                return L.circleMarker(latlng, {radius: 6, pane: pane});
            },
            onEachFeature: search ? function (feature, sub) { indexFeature(sub, feature, search, title); } : null,
            attribution: attribution
        });
        layer.bindPopup(popupTable(labels), {autoPanPadding: [30, 30]});
        if (extra && extra.zoom) {
            layer.on("click", function (e) {
                if (!map.getContainer().classList.contains("xz-measuring")) {
                    map.fitBounds(e.layer.getBounds(), {padding: [20, 20]});
                }
            });
        }
        if (tip >= 0) {
            layer.bindTooltip(function (t) { return t.feature.properties[tip]; }, {sticky: true});
        }
        var next = 0;
        window.xzCount(1);
        (function draw(budget) {
            var end = Math.min(next + budget, data.g.length);
            for (; next < end; next++) {
                var geometry = window.xzDecode(data.g[next], data.o);
                layer.addData({type: "Feature", geometry: geometry, properties: data.p[next]});
            }
            if (next && !window.xzFirstShown) {
                window.xzFirstShown = true;
                window.xzShown("xz-first-drawn");
            }
            if (next < data.g.length) { // after the browser has shown what is drawn so far
                requestAnimationFrame(function () {
                    setTimeout(function () { draw(opts.chunk); }, 0);
                });
            } else {
                window.xzCount(-1);
            }
        })(firstStep(data.g.length));
        layer.on("remove", function () {
            searchIndex = searchIndex.filter(function (e) { return !layer.hasLayer(e.layer); });
        });
        return layer;
    };

    // ---- small controls ----
    function control(position, className, build) {
        var c = L.control({position: position});
        c.onAdd = function (map) {
            var div = L.DomUtil.create("div", "xz-control " + className);
            L.DomEvent.disableClickPropagation(div);
            L.DomEvent.disableScrollPropagation(div);
            build(div, map);
            return div;
        };
        return c;
    }

    function button(parent, label, title, onClick) {
        var b = L.DomUtil.create("button", "xz-button", parent);
        b.type = "button";
        b.innerHTML = label;
        b.title = title;
        b.setAttribute("aria-label", title);
        L.DomEvent.on(b, "click", function (e) { L.DomEvent.stop(e); onClick(b); });
        return b;
    }

    function northArrow() {
        return control("topright", "xz-north", function (div) {
            div.title = text("north");
            div.innerHTML = '<svg viewBox="0 0 24 36" width="24" height="36" aria-hidden="true">' +
                '<text x="12" y="9" text-anchor="middle" font-size="9" font-weight="700">N</text>' +
                '<path d="M12 11 L18 33 L12 28 L6 33 Z" fill="#fff" stroke="#222" stroke-width="1.2"/>' +
                '<path d="M12 11 L12 28 L6 33 Z" fill="#222"/></svg>';
        });
    }

    // ---- full screen: the Fullscreen API on the map's own element (the component iframe allows it) ----
    function fullScreen(map) {
        return control("topleft", "xz-bar", function (div) {
            button(div, ICON_FULL, text("fullscreen"), function () {
                var el = map.getContainer();
                if (document.fullscreenElement) {
                    document.exitFullscreen();
                } else if (el.requestFullscreen) {
                    el.requestFullscreen().catch(function () { el.classList.toggle("xz-full"); });
                } else {
                    el.classList.toggle("xz-full");
                }
                setTimeout(function () { map.invalidateSize(); }, 200);
            });
            document.addEventListener("fullscreenchange", function () { map.invalidateSize(); });
        });
    }

    // ---- coordinate readout: CGCS2000 lon/lat and 3° Gauss-Krüger (zone by central meridian) ----
    function gkZone(lon) {
        var best = null;
        (opts.gk || []).forEach(function (z) {
            if (best === null || Math.abs(lon - z.cm) < Math.abs(lon - best.cm)) { best = z; }
        });
        return best;
    }

    window.xzGK = function (lon, lat) {
        var zone = gkZone(lon);
        if (!zone || !window.proj4) { return null; }
        var en = window.proj4("EPSG:4490", zone.proj, [lon, lat]);
        return {zone: zone.zone, easting: en[0], northing: en[1]};
    };

    function readout(map) {
        return control("bottomleft", "xz-coords", function (div, m) {
            div.innerHTML = text("coords_hint");
            m.on("mousemove", function (e) {
                var ll = e.latlng.wrap(), gk = window.xzGK(ll.lng, ll.lat);
                var parts = [text("lonlat") + " " + ll.lng.toFixed(6) + "°E, " + ll.lat.toFixed(6) + "°N"];
                if (gk) {
                    parts.push(text("gk").replace("{zone}", gk.zone) + " X " + gk.northing.toFixed(1) +
                               " m, Y " + gk.easting.toFixed(1) + " m");
                }
                div.innerHTML = parts.map(escapeHtml).join("<br>");
            });
        });
    }

    // ---- measure: clicks add vertices; length and area are geodesic on GRS80 (pyproj's Geod) ----
    function geod() {
        var g = window.geodesic.Geodesic;
        return new g.Geodesic(opts.ellipsoid[0], opts.ellipsoid[1]);
    }

    function measured(points) {
        var poly = geod().Polygon(false), line = geod().Polygon(true);
        points.forEach(function (p) { poly.AddPoint(p.lat, p.lng); line.AddPoint(p.lat, p.lng); });
        var open = line.Compute(false, true), closed = poly.Compute(false, true);
        return {
            vertices: points.length,
            points: points.map(function (p) { return [p.lng, p.lat]; }),
            length_m: points.length > 1 ? open.perimeter : 0,
            area_m2: points.length > 2 ? Math.abs(closed.area) : 0,
            perimeter_m: points.length > 2 ? closed.perimeter : 0
        };
    }

    function formatLength(m) {
        return m >= 1000 ? (m / 1000).toFixed(3) + " km" : m.toFixed(1) + " m";
    }

    function measureTool(map) {
        var points = [], drawing = null, active = false, out = null, toggle = null;
        function redraw() {
            if (drawing) { map.removeLayer(drawing); }
            var style = {color: "#000", weight: 2, dashArray: "4 3", fillOpacity: 0.1, interactive: false,
                         pane: HIGHLIGHT_PANE};
            drawing = points.length > 2 ? L.polygon(points, style) : L.polyline(points, style);
            drawing.addTo(map);
            var r = window.xzMeasured = measured(points);
            var lines = [text("measure_length") + formatLength(r.length_m)];
            if (r.vertices > 2) {
                lines.push(text("measure_area") + (r.area_m2 / 10000).toFixed(4) + " ha (" +
                           Math.round(r.area_m2) + " m²)");
            }
            out.innerHTML = points.length ? lines.map(escapeHtml).join("<br>") : escapeHtml(text("measure_hint"));
        }
        function onClick(e) { points.push(e.latlng); redraw(); }
        function setActive(on) {
            active = on;
            map.getContainer().classList.toggle("xz-measuring", on);
            toggle.classList.toggle("xz-on", on);
            out.style.display = on ? "block" : "none";
            if (on) {
                map.closePopup();
                map.doubleClickZoom.disable();
                map.on("click", onClick);
                points = [];
                redraw();
            } else {
                map.doubleClickZoom.enable();
                map.off("click", onClick);
            }
        }
        return control("topleft", "xz-bar xz-measure", function (div) {
            toggle = button(div, ICON_RULER, text("measure"), function () { setActive(!active); });
            out = L.DomUtil.create("div", "xz-measure-out", div);
            out.style.display = "none";
            button(div, "✕", text("measure_clear"), function () {
                points = [];
                window.xzMeasured = null;
                if (drawing) { map.removeLayer(drawing); drawing = null; }
                if (active) { setActive(false); }
            }).classList.add("xz-clear");
        });
    }

    // ---- highlight and search ----
    var highlighted = null;
    window.xzHighlight = function (map, geometry, fit) {
        if (highlighted) { map.removeLayer(highlighted); }
        var halo = {color: "#fff", weight: 7, opacity: 0.9, fill: false, interactive: false, pane: HIGHLIGHT_PANE};
        var line = {color: "#000", weight: 3, opacity: 1, fill: false, interactive: false, pane: HIGHLIGHT_PANE};
        var layers = [L.geoJSON(geometry, {style: halo, pointToLayer: function (f, ll) {
            return L.circleMarker(ll, L.extend({radius: 11}, halo));
        }}), L.geoJSON(geometry, {style: line, pointToLayer: function (f, ll) {
            return L.circleMarker(ll, L.extend({radius: 11}, line));
        }})];
        highlighted = L.featureGroup(layers).addTo(map);
        if (fit) {
            map.fitBounds(highlighted.getBounds(), {maxZoom: 16, padding: [40, 40]});
        }
        document.body.setAttribute("data-xz-highlight", "1");
        return highlighted;
    };

    function choose(map, entry) {
        window.xzHighlight(map, entry.layer.feature, true);
        window.xzFound = entry.words;
        // as if clicked: the layer's popup opens for this feature (and the page hears the click)
        var at = entry.layer.getBounds ? entry.layer.getBounds().getCenter() : entry.layer.getLatLng();
        entry.layer.fire("click", {latlng: at}, true);
    }

    window.xzSearch = function (query) {
        var q = String(query || "").trim().toLowerCase();
        if (!q) { return []; }
        return searchIndex.filter(function (e) { return e.key.indexOf(q) >= 0; }).slice(0, 12);
    };

    function searchBox(map) {
        return control("topleft", "xz-search", function (div) {
            var input = L.DomUtil.create("input", "xz-search-input", div);
            input.type = "search";
            input.placeholder = text("search_placeholder");
            input.setAttribute("aria-label", text("search_placeholder"));
            var list = L.DomUtil.create("ul", "xz-search-list", div);
            function show() {
                var hits = window.xzSearch(input.value);
                list.innerHTML = "";
                if (input.value.trim() && !hits.length) {
                    L.DomUtil.create("li", "xz-none", list).textContent = text("search_none");
                }
                hits.forEach(function (entry) {
                    var li = L.DomUtil.create("li", "", list);
                    li.innerHTML = entry.words.join(" · ") + ' <small>' + entry.title + "</small>";
                    L.DomEvent.on(li, "click", function () { list.innerHTML = ""; choose(map, entry); });
                });
            }
            L.DomEvent.on(input, "input", show);
            L.DomEvent.on(input, "keydown", function (e) {
                if (e.key === "Enter") {
                    var hits = window.xzSearch(input.value);
                    if (hits.length) { list.innerHTML = ""; choose(map, hits[0]); }
                }
            });
        });
    }

    // ---- districts: labels, zoom on click, and a select ----
    function zoomTo(map, bounds) {
        map.fitBounds([[bounds[1], bounds[0]], [bounds[3], bounds[2]]], {padding: [20, 20]});
    }

    window.xzZoomTo = zoomTo;

    window.xzPlaces = function (map, places) {
        var pane = "xz-labels";
        if (!map.getPane(pane)) { map.createPane(pane).style.zIndex = 450; }
        places.forEach(function (p) { // names arrive HTML-escaped
            var icon = L.divIcon({className: "xz-label", html: "<span>" + p.name + "</span>", iconSize: null});
            L.marker([p.at[1], p.at[0]], {icon: icon, pane: pane, interactive: false, keyboard: false}).addTo(map);
        });
        control("topleft", "xz-districts", function (div) {
            var select = L.DomUtil.create("select", "xz-district-select", div);
            select.setAttribute("aria-label", text("zoom_district"));
            select.innerHTML = '<option value="">' + escapeHtml(text("zoom_district")) + "</option>" +
                places.map(function (p, i) { return '<option value="' + i + '">' + p.name + "</option>"; }).join("");
            L.DomEvent.on(select, "change", function () {
                if (select.value !== "") { zoomTo(map, places[+select.value].bounds); }
            });
        }).addTo(map);
    };

    // ---- the legend: collapsible, collapsed on small maps; fits the first view beside it ----
    window.xzLegend = function (map, group, html, bounds) {
        var legend = control("bottomright", "xz-legend", function (div, m) {
            var head = L.DomUtil.create("button", "xz-legend-head", div);
            head.type = "button";
            head.innerHTML = escapeHtml(text("legend")) + ' <span class="xz-caret"></span>';
            var body = L.DomUtil.create("div", "xz-legend-body", div);
            body.innerHTML = html;
            // the map's own height, not the viewport's: the frame has none until the map is drawn
            body.style.maxHeight = Math.max(m.getSize().y - 140, 100) + "px";
            if (m.getSize().x < NARROW_PX) { div.classList.add("xz-collapsed"); }
            L.DomEvent.on(head, "click", function () { div.classList.toggle("xz-collapsed"); });
        });
        legend.addTo(map);
        group.on("remove", function () { legend.remove(); });
        if (bounds && !map.xzFitted) {
            map.xzFitted = true;
            map.fitBounds(bounds, {padding: [12, 12]});
        }
    };

    // ---- everything around the data ----
    window.xzSetup = function (map, options) {
        opts = L.extend(opts, options);
        window.xzMap = map;
        if (!map.getPane(HIGHLIGHT_PANE)) { map.createPane(HIGHLIGHT_PANE).style.zIndex = 460; }
        (opts.gk || []).forEach(function (z) { window.proj4.defs(z.proj, z.definition); });
        window.proj4.defs("EPSG:4490", "+proj=longlat +ellps=GRS80 +no_defs");
        map.attributionControl.setPrefix(escapeHtml(opts.prefix || "Leaflet"));
        if (opts.review_line) { map.attributionControl.addAttribution(escapeHtml(opts.review_line)); }
        L.control.scale({imperial: false, position: "bottomleft"}).addTo(map);
        readout(map).addTo(map);
        northArrow().addTo(map);
        searchBox(map).addTo(map);
        fullScreen(map).addTo(map);
        measureTool(map).addTo(map);
        // a popup hides the tooltip under it (CSS): the two never overlap
        map.on("popupopen", function () { map.getContainer().classList.add("xz-popup-open"); });
        map.on("popupclose", function () { map.getContainer().classList.remove("xz-popup-open"); });
        setTimeout(function () { // Leaflet titles the layer control's button in English
            document.querySelectorAll(".leaflet-control-layers-toggle").forEach(function (a) {
                a.title = text("layers");
                a.setAttribute("aria-label", text("layers"));
            });
        }, 0);
    };
})();
