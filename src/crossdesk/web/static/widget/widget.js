/*
 * crossdesk chat widget loader, embedded on a shop's pages:
 *   <script src="https://desk.example.com/widget.js" data-shop="WIDGET_KEY" async></script>
 *
 * It only draws the launcher bubble. The chat itself runs in an iframe served by the desk,
 * which keeps the shop's CSS out of the chat, keeps the chat's storage and cookies on the
 * desk's origin, and means this file can stay small and dependency-free.
 */
(function () {
  'use strict';

  var script = document.currentScript || document.querySelector('script[data-shop][src*="widget.js"]');
  if (!script || window.__crossdeskWidget) return;
  window.__crossdeskWidget = true;

  var shop = script.getAttribute('data-shop');
  if (!shop) {
    console.warn('crossdesk: the widget script needs a data-shop attribute');
    return;
  }
  // The desk's base URL is wherever this script came from (works behind a path prefix too).
  var base = new URL('.', script.src);
  var deskOrigin = base.origin;
  var frameUrl = new URL('widget/frame', base);
  frameUrl.searchParams.set('shop', shop);

  // Once a buyer has opened the chat, later page views load the frame in the background so
  // replies raise the unread badge. First-time visitors cost the desk nothing until they click.
  var ENGAGED_KEY = 'crossdesk.engaged.' + shop;
  var CHAT_ICON = 'M4 5.5A2.5 2.5 0 0 1 6.5 3h11A2.5 2.5 0 0 1 20 5.5v8a2.5 2.5 0 0 1-2.5 2.5H10l-4.2 3.6c-.5.4-1.3 0-1.3-.6V16A2.5 2.5 0 0 1 4 13.5z';
  var CLOSE_ICON = 'M6 6l12 12M18 6L6 18';

  var open = false;
  var frame = null;
  var frameReady = false;

  injectStyles();
  var bubble = buildBubble();
  var badge = bubble.querySelector('.crossdesk-badge');
  whenBody(function () {
    document.body.appendChild(bubble);
    if (readEngaged()) ensureFrame();
  });

  bubble.addEventListener('click', function () {
    setOpen(!open);
  });
  document.addEventListener('keydown', function (event) {
    if (event.key === 'Escape' && open) setOpen(false);
  });
  window.addEventListener('message', onFrameMessage);

  function setOpen(next) {
    open = next;
    if (open) {
      ensureFrame();
      writeEngaged();
    }
    frame.classList.toggle('crossdesk-open', open);
    bubble.classList.toggle('crossdesk-open', open);
    bubble.setAttribute('aria-expanded', String(open));
    bubble.setAttribute('aria-label', open ? 'Close chat' : 'Open chat');
    tellFrame();
    if (open && frameReady) frame.focus();
  }

  function ensureFrame() {
    if (frame) return;
    frame = document.createElement('iframe');
    frame.id = 'crossdesk-frame';
    frame.title = 'Chat with us';
    frame.src = frameUrl.href;
    frame.setAttribute('allow', 'clipboard-write; camera; microphone; autoplay'); // calls run in the frame
    document.body.appendChild(frame);
  }

  // An async script may run before <body> exists.
  function whenBody(fn) {
    if (document.body) fn();
    else document.addEventListener('DOMContentLoaded', fn);
  }

  function tellFrame() {
    if (frame && frameReady) {
      frame.contentWindow.postMessage({ source: 'crossdesk', type: 'visibility', open: open }, deskOrigin);
    }
  }

  function onFrameMessage(event) {
    // Only our own frame, from the desk's origin, may drive the launcher.
    if (!frame || event.source !== frame.contentWindow || event.origin !== deskOrigin) return;
    var data = event.data || {};
    if (data.source !== 'crossdesk') return;
    if (data.type === 'ready') {
      frameReady = true;
      tellFrame();
    } else if (data.type === 'unread') {
      showUnread(Number(data.count) || 0);
    } else if (data.type === 'close') {
      setOpen(false);
      bubble.focus();
    }
  }

  function showUnread(count) {
    badge.textContent = count > 9 ? '9+' : String(count);
    badge.hidden = count === 0 || open;
    bubble.setAttribute('aria-label', count && !open ? 'Open chat, ' + count + ' unread' : open ? 'Close chat' : 'Open chat');
  }

  function buildBubble() {
    var button = document.createElement('button');
    button.id = 'crossdesk-bubble';
    button.type = 'button';
    button.setAttribute('aria-label', 'Open chat');
    button.setAttribute('aria-expanded', 'false');
    button.appendChild(svgIcon(CHAT_ICON, 'crossdesk-icon-chat'));
    button.appendChild(svgIcon(CLOSE_ICON, 'crossdesk-icon-close'));
    var count = document.createElement('span');
    count.className = 'crossdesk-badge';
    count.hidden = true;
    button.appendChild(count);
    return button;
  }

  function svgIcon(d, className) {
    var ns = 'http://www.w3.org/2000/svg';
    var svg = document.createElementNS(ns, 'svg');
    svg.setAttribute('viewBox', '0 0 24 24');
    svg.setAttribute('aria-hidden', 'true');
    svg.setAttribute('class', className);
    var path = document.createElementNS(ns, 'path');
    path.setAttribute('d', d);
    svg.appendChild(path);
    return svg;
  }

  function readEngaged() {
    try {
      return localStorage.getItem(ENGAGED_KEY) === '1';
    } catch (e) {
      return false;
    }
  }

  function writeEngaged() {
    try {
      localStorage.setItem(ENGAGED_KEY, '1');
    } catch (e) { /* storage refused: just no background preload */ }
  }

  // Scoped by id and reset with `all: initial` so the shop's stylesheet cannot restyle us.
  function injectStyles() {
    var css = [
      '#crossdesk-bubble{all:initial;position:fixed;right:20px;bottom:20px;z-index:2147483000;width:60px;height:60px;',
      'border-radius:50%;background:#4f46e5;color:#fff;cursor:pointer;display:flex;align-items:center;justify-content:center;',
      'box-shadow:0 6px 20px rgba(17,24,39,.28);transition:transform .18s ease,background .18s ease;-webkit-tap-highlight-color:transparent}',
      '#crossdesk-bubble:hover{transform:scale(1.06);background:#4338ca}',
      '#crossdesk-bubble:focus-visible{outline:3px solid #a5b4fc;outline-offset:3px}',
      '#crossdesk-bubble svg{width:28px;height:28px;fill:none;stroke:#fff;stroke-width:2;stroke-linecap:round;stroke-linejoin:round;',
      'position:absolute;transition:transform .2s ease,opacity .2s ease}',
      '#crossdesk-bubble .crossdesk-icon-chat{fill:#fff;stroke:none}',
      '#crossdesk-bubble .crossdesk-icon-close{opacity:0;transform:rotate(-90deg)}',
      '#crossdesk-bubble.crossdesk-open .crossdesk-icon-chat{opacity:0;transform:rotate(90deg)}',
      '#crossdesk-bubble.crossdesk-open .crossdesk-icon-close{opacity:1;transform:none}',
      '#crossdesk-bubble .crossdesk-badge{all:initial;position:absolute;top:-2px;right:-2px;min-width:20px;height:20px;padding:0 5px;',
      'box-sizing:border-box;border-radius:10px;background:#ef4444;color:#fff;border:2px solid #fff;',
      'font:700 11px/16px system-ui,-apple-system,"Segoe UI",sans-serif;text-align:center}',
      '#crossdesk-bubble .crossdesk-badge[hidden]{display:none}',
      '#crossdesk-frame{all:initial;position:fixed;right:20px;bottom:92px;z-index:2147483000;width:380px;height:min(640px,calc(100vh - 120px));',
      'border:0;border-radius:16px;background:#fff;box-shadow:0 12px 48px rgba(17,24,39,.22);visibility:hidden;opacity:0;',
      'transform:translateY(12px);transition:opacity .2s ease,transform .2s ease,visibility 0s linear .2s}',
      '#crossdesk-frame.crossdesk-open{visibility:visible;opacity:1;transform:none;transition:opacity .2s ease,transform .2s ease}',
      '@media (max-width:480px){#crossdesk-frame{inset:0;width:100%;height:100%;border-radius:0;bottom:0;right:0}',
      '#crossdesk-bubble.crossdesk-open{display:none}}',
      '@media (prefers-reduced-motion:reduce){#crossdesk-bubble,#crossdesk-frame,#crossdesk-bubble svg{transition:none}}',
    ].join('');
    var style = document.createElement('style');
    style.id = 'crossdesk-widget-styles';
    style.textContent = css;
    (document.head || document.documentElement).appendChild(style);
  }
})();
