// Starts Swagger UI from a file, not an inline script, so the page works under a strict
// Content-Security-Policy. The page says where the spec is in data attributes (services/common/docs.py).
(function () {
  var el = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: el.getAttribute("data-openapi-url"),
    oauth2RedirectUrl: window.location.origin + el.getAttribute("data-oauth2-redirect-url"),
    dom_id: "#swagger-ui",
    layout: "BaseLayout",
    deepLinking: true,
    showExtensions: true,
    showCommonExtensions: true,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset],
  });
})();
