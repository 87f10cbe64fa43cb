#!/usr/bin/env node
// Copies the minified htmx build from node_modules into static/js so that it
// is embedded in the Go binary (see static/embed.go). Byte-for-byte copy; no
// dependencies beyond Node itself.
"use strict";

const fs = require("fs");
const path = require("path");

const root = path.resolve(__dirname, "..");
const src = path.join(root, "node_modules", "htmx.org", "dist", "htmx.min.js");
const dest = path.join(root, "static", "js", "htmx.min.js");

if (!fs.existsSync(src)) {
  console.error(`vendor-htmx: ${path.relative(root, src)} not found; run "npm ci" first`);
  process.exit(1);
}

fs.mkdirSync(path.dirname(dest), { recursive: true });
fs.copyFileSync(src, dest);

const version = require(path.join(root, "node_modules", "htmx.org", "package.json")).version;
console.log(`vendor-htmx: copied htmx ${version} to ${path.relative(root, dest)}`);
