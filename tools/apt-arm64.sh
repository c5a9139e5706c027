# Sourced by the scripts that fetch arm64 Debian packages without installing
# them (tools/fetch-assets.sh, bench/fetch-peer.sh), and by setup-host.sh for
# the mirror. The mirror is always the machine's own: no host name here.

# Prints the machine's Debian mirror URI.
apt_mirror_uri() {
	local src=/etc/apt/sources.list.d/debian.sources
	if [ -f "$src" ]; then
		awk '/^URIs:/ { print $2; exit }' "$src"
	else
		awk '$1 == "deb" && $0 !~ /security/ { print $2; exit }' /etc/apt/sources.list
	fi
}

# apt_arm64_init DIR: a private apt configuration in DIR listing trixie for
# arm64, with an empty dpkg status (nothing counts as installed, so a
# download-only install fetches a package's whole dependency closure).
# Sets APT_OPTS and runs `apt-get update`.
apt_arm64_init() {
	local dir=$1 uri
	uri=$(apt_mirror_uri)
	[ -n "$uri" ] || { echo "apt-arm64: no apt mirror found in this machine's sources" >&2; return 1; }
	mkdir -p "$dir/lists/partial" "$dir/cache/archives/partial" "$dir/etc"
	cat >"$dir/etc/sources.list" <<EOT
deb [arch=arm64 signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $uri trixie main
EOT
	: >"$dir/etc/status"
	APT_OPTS=(-o APT::Sandbox::User=root -o Dir::Etc::SourceList="$dir/etc/sources.list"
		-o Dir::Etc::SourceParts=/dev/null -o Dir::Etc::Preferences=/dev/null
		-o Dir::Etc::PreferencesParts=/dev/null
		-o Dir::State::Lists="$dir/lists" -o Dir::Cache="$dir/cache"
		-o Dir::State::status="$dir/etc/status" -o Dir::State::extended_states="$dir/etc/extended_states"
		-o APT::Architectures::=arm64 -o APT::Architecture=arm64 -o Debug::NoLocking=1
		-o APT::Install-Recommends=0 -o APT::Install-Suggests=0)
	apt-get "${APT_OPTS[@]}" update -qq
}
