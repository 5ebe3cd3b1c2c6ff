package ingest

import (
	"fmt"
	"sort"
	"strings"
)

// nginxVars are nginx's own variables (nginx.org/en/docs/varindex.html)
// that a log_format may name besides those cdnadvise reads; nginxVarPrefixes
// are the families named by a prefix and a header, cookie or argument.
var nginxVars = map[string]bool{}

func init() {
	for _, v := range strings.Fields(`ancient_browser args binary_remote_addr body_bytes_sent bytes_received bytes_sent
		connection connection_requests connection_time connections_active connections_reading connections_waiting
		connections_writing content_length content_type date_gmt date_local document_root document_uri
		fastcgi_path_info fastcgi_script_name gzip_ratio host hostname http2 http3 https invalid_referer is_args
		limit_conn_status limit_rate limit_req_status memcached_key modern_browser msec msie nginx_version pid pipe
		proxy_add_x_forwarded_for proxy_host proxy_port proxy_protocol_addr proxy_protocol_port
		proxy_protocol_server_addr proxy_protocol_server_port query_string realip_remote_addr realip_remote_port
		realpath_root remote_addr remote_port remote_user request request_body request_body_file request_completion
		request_filename request_id request_length request_method request_time request_uri scheme secure_link
		secure_link_expires server_addr server_name server_port server_protocol status tcpinfo_rtt tcpinfo_rttvar
		tcpinfo_snd_cwnd tcpinfo_rcv_space time_iso8601 time_local uid_got uid_reset uid_set upstream_addr
		upstream_bytes_received upstream_bytes_sent upstream_cache_status upstream_connect_time upstream_header_time
		upstream_queue_time upstream_response_length upstream_response_time upstream_status uri
		ssl_cipher ssl_ciphers ssl_client_cert ssl_client_escaped_cert ssl_client_fingerprint ssl_client_i_dn
		ssl_client_raw_cert ssl_client_s_dn ssl_client_serial ssl_client_verify ssl_curves ssl_early_data
		ssl_protocol ssl_server_name ssl_session_id ssl_session_reused geoip_country_code geoip_country_name
		geoip_city geoip_region geoip_org srcache_fetch_status`) {
		nginxVars[v] = true
	}
}

var nginxVarPrefixes = []string{"http_", "sent_http_", "sent_trailer_", "cookie_", "arg_", "upstream_http_",
	"upstream_cookie_", "upstream_trailer_", "jwt_claim_", "jwt_header_", "geoip2_", "ssl_"}

// checkNginxVar is an error for a variable that is neither nginx's nor
// one of its families but a letter or two away from one of them (a typo
// such as $upstream_cache_stauts, which would leave its column empty and
// change what the whole store says). A name far from every known one is
// taken as the user's own (map, set, a module's) and read as an ignored
// column.
func checkNginxVar(name string) error {
	if nginxVars[name] {
		return nil
	}
	for _, p := range nginxVarPrefixes {
		if strings.HasPrefix(name, p) && len(name) > len(p) {
			return nil
		}
	}
	if len(name) < 5 {
		return nil
	}
	var near []string
	for v := range nginxVars {
		if editDistance(name, v) <= 2 {
			near = append(near, "$"+v)
		}
	}
	if len(near) == 0 {
		return nil
	}
	sort.Strings(near)
	return fmt.Errorf("nginx log format: $%s is not an nginx variable (did you mean %s?)", name, strings.Join(near, " or "))
}

// editDistance is the Levenshtein distance of a and b (bytes).
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
