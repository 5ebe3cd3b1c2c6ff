// Preloaded (node --import) before the suite's server: it listens on
// 127.0.0.1 only, as every server of cdnadvise's tests does (the suite's
// server.mjs listens on every interface).
import http from 'node:http'

const listen = http.Server.prototype.listen
http.Server.prototype.listen = function (port, ...rest) {
  if (typeof port === 'number' || typeof port === 'string') {
    return listen.call(this, Number(port), '127.0.0.1', ...rest)
  }
  return listen.call(this, port, ...rest)
}
