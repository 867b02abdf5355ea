/* The service map's map view: Leaflet (vendored), markers from the JSON the page embeds
 * (#map-data). Tiles come from the URL template in data-tiles (REINTEGRA_MAP_TILES); without
 * one, the markers stand on a blank background and the page still works. */
(function () {
  "use strict";
  var element = document.getElementById("provider-map");
  var data = document.getElementById("map-data");
  if (!element || !data || typeof L === "undefined") {
    return;
  }
  var providers = JSON.parse(data.textContent);
  var map = L.map(element, { scrollWheelZoom: false });
  var tiles = element.getAttribute("data-tiles");
  if (tiles) {
    L.tileLayer(tiles, {
      maxZoom: 18,
      attribution: element.getAttribute("data-attribution") || ""
    }).addTo(map);
  }
  var bounds = [];
  providers.forEach(function (p) {
    var marker = L.marker([p.lat, p.lng], { title: p.name, alt: p.name }).addTo(map);
    var popup = document.createElement("div");
    var link = document.createElement("a");
    link.href = p.url;
    link.textContent = p.name;
    popup.appendChild(link);
    if (p.categories) {
      var small = document.createElement("div");
      small.className = "small";
      small.textContent = p.categories;
      popup.appendChild(small);
    }
    marker.bindPopup(popup);
    bounds.push([p.lat, p.lng]);
  });
  if (bounds.length) {
    map.fitBounds(bounds, { padding: [30, 30], maxZoom: 12 });
  } else {
    map.setView([14.5, -14.5], 6);
  }
})();
