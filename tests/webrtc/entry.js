// The test page's SIP stack: JsSIP from npm (package-lock.json), bundled by tools/build-jssip; no CDN.
import JsSIP from "jssip";
window.JsSIP = JsSIP;
