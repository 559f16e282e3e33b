/* Addresses kept in the progress document are relative to the site's root (so a chapter quiz and a practice
   page name the same chapter the same way); Sphinx writes the root on <html data-content_root="...">. */
(function (root) {
  "use strict";
  var CP = root.CoursePractice = root.CoursePractice || {};
  function siteRoot() {
    var rel = (document.documentElement.getAttribute("data-content_root") || "./");
    return new URL(rel, root.location.href).href;
  }
  /** An address relative to this page -> relative to the site's root. */
  CP.toRoot = function (href) {
    var absolute = new URL(href, root.location.href).href, base = siteRoot();
    return absolute.indexOf(base) === 0 ? absolute.slice(base.length) : absolute;
  };
  /** An address relative to the site's root -> usable from this page. */
  CP.fromRoot = function (rel) {
    return new URL(rel, siteRoot()).href;
  };
})(typeof window !== "undefined" ? window : globalThis);
