package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/suyuan-trace/suyuan/ident"
	"github.com/suyuan-trace/suyuan/internal/api"
	"github.com/suyuan-trace/suyuan/internal/party"
	"github.com/suyuan-trace/suyuan/internal/store"
	"github.com/suyuan-trace/suyuan/internal/web"
)

// registryStore is a store that also keeps the party registry; both
// backends are.
type registryStore interface {
	store.Store
	store.PartyStore
}

// openRegistry opens the store named by dsn with its party registry.
func openRegistry(ctx context.Context, dsn string) (registryStore, *party.Service, error) {
	st, err := openStore(ctx, dsn)
	if err != nil {
		return nil, nil, fmt.Errorf("open store %s: %w", redactDSN(dsn), err)
	}
	rs, ok := st.(registryStore)
	if !ok {
		st.Close()
		return nil, nil, fmt.Errorf("store %s keeps no party registry", redactDSN(dsn))
	}
	return rs, &party.Service{Store: rs, LeafHash: decisionLeafHasher(), Actor: cliActor()}, nil
}

// securedServer builds the HTTP server with authentication: reads go
// through a party.Guard, captures through the capture rules, and every
// route checks its policy.
func securedServer(ctx context.Context, st store.Store, cfg *serveConfig, logger *slog.Logger) (*api.Server, error) {
	ps, ok := st.(store.PartyStore)
	if !ok {
		return nil, fmt.Errorf("store %T keeps no party registry, which serve needs for authentication", st)
	}
	svc := &party.Service{Store: ps, Prefixes: &ident.PrefixLengths{}, LeafHash: decisionLeafHasher()}
	n, err := svc.LoadPrefixes(ctx)
	if err != nil {
		return nil, err
	}
	if cfg.directory == nil {
		cfg.directory = registryDirectory{ps}
	}
	guard := party.NewGuard(st, ps, logger)
	cs := newCaptureService(guard, logger)
	cs.Authorizer = &party.CaptureRules{Parties: ps, Events: st}
	srv := api.New(guard, cs, logger, api.Options{MaxBodyBytes: cfg.maxBody})
	proxies, err := api.ParseTrustedProxies(cfg.trustedProxies)
	if err != nil {
		return nil, usageErrorf("--trusted-proxies: %v", err)
	}
	srv.Secure(api.Security{Parties: svc, Open: cfg.open, PublicRate: cfg.publicRate, PublicBurst: cfg.publicBurst,
		SecureCookies: cfg.secureCookies, TrustedProxies: proxies})
	if cfg.open {
		logger.Warn("authentication is off (--open): every caller acts as administrator; never use --open with real data")
		fmt.Fprintln(os.Stderr, "警告：--open 关闭了认证，任何人都是管理员 / warning: --open turns authentication off; every caller is an administrator")
	}
	logger.Info("party registry loaded", "company_prefixes", n)
	return srv, nil
}

// registryDirectory serves the consumer pages' master data from the party
// registry: a registered location names the enterprise that owns it, and
// its place is the location's own division, so that a step is shown in
// the city where it happened. A location without a division falls back to
// the enterprise's registered region.
// NOTE: parties named by PGLN or credit code, and products, are not looked
// up. The pages show such codes without names, and do not check the
// licences of consignees named that way.
type registryDirectory struct{ ps store.PartyStore }

func (d registryDirectory) Party(ctx context.Context, id string) (web.Party, bool, error) {
	l, err := d.ps.Location(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return web.Party{}, false, nil
	}
	if err != nil {
		return web.Party{}, false, err
	}
	p, err := d.ps.Party(ctx, l.PartyID)
	if err != nil {
		return web.Party{}, false, err
	}
	out := web.Party{NameZH: p.NameZH, NameEN: p.NameEN, Division: l.Division, ID: p.ID, USCC: p.USCC}
	if out.Division == "" {
		out.Division = p.Region
	}
	for _, lic := range p.Licences {
		out.Licences = append(out.Licences, lic.Kind)
	}
	return out, true, nil
}

func (d registryDirectory) Product(context.Context, string) (web.Product, bool, error) {
	return web.Product{}, false, nil
}

// securityFlags declares the serve command's authentication flags.
func securityFlags(fs *flag.FlagSet, cfg *serveConfig) {
	fs.BoolVar(&cfg.open, "open", false, "关闭认证，任何人都是管理员（仅限开发演示） / turn authentication off, every caller is administrator (development only)")
	fs.Float64Var(&cfg.publicRate, "public-rate", 5, "每个客户端 IP 访问公开接口的每秒请求数 / requests per second one client IP may make to public routes")
	fs.IntVar(&cfg.publicBurst, "public-burst", 30, "公开接口的突发请求数 / burst of requests above --public-rate")
	fs.StringVar(&cfg.trustedProxies, "trusted-proxies", "", "可信反向代理的网段，逗号分隔（来自这些地址的请求按 X-Forwarded-For 确定客户端 IP） / reverse proxy networks, comma-separated CIDR, whose X-Forwarded-For header gives the client IP")
	fs.BoolVar(&cfg.secureCookies, "secure-cookies", false, "Cookie 总是带 Secure（TLS 在反向代理上终止时） / always mark cookies Secure (when TLS ends at a reverse proxy)")
}

func init() {
	registerWithSubcommands(&Command{
		Name:    "party",
		Summary: "登记企业与监管部门 / register enterprises and regulators",
		Usage:   "add|update ID|list|show ID|import FILE.csv [flags]",
	}, "add, update, list, show or import", runParty)
	registerWithSubcommands(&Command{
		Name:    "location",
		Summary: "登记企业的地点 / register the locations of parties",
		Usage:   "add|list [flags]",
	}, "add or list", runLocation)
	registerWithSubcommands(&Command{
		Name:    "token",
		Summary: "管理 API 令牌 / manage API tokens",
		Usage:   "create|list|revoke [flags]",
	}, "create, list or revoke", runToken)
	registerWithSubcommands(&Command{
		Name:    "admin",
		Summary: "创建首个管理员，管理网页用户 / create the first administrator, manage web users",
		Usage:   "bootstrap|user-add|user-disable USERNAME|user-enable USERNAME [flags]",
	}, "bootstrap, user-add, user-disable or user-enable", runAdmin)
}

// registerWithSubcommands registers c with a --db flag. The command's
// first argument names a subcommand (subcommands lists them for the usage
// error), and run runs it with the --db value and the other arguments.
func registerWithSubcommands(c *Command, subcommands string, run func(ctx context.Context, env *Env, db, sub string, args []string) error) {
	var db *string
	c.Setup = func(fs *flag.FlagSet) { db = dbFlag(fs) }
	c.Run = func(ctx context.Context, env *Env, _ *flag.FlagSet, args []string) error {
		if len(args) == 0 {
			return usageErrorf("name a subcommand: %s", subcommands)
		}
		return run(ctx, env, *db, args[0], args[1:])
	}
	register(c)
}

// subFlags returns a flag set for a subcommand, with --db defaulting to
// the value given before the subcommand.
func subFlags(env *Env, name string, db string) (*flag.FlagSet, *string) {
	fs := flag.NewFlagSet("suyuan "+name, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	return fs, fs.String("db", db, "数据库 / store: a SQLite file path or a postgres:// URL")
}

func parseSub(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return &ExitError{Code: ExitOK}
		}
		return &ExitError{Code: ExitUsage, Err: err}
	}
	return nil
}

// openSubcommand parses the flags of a subcommand and opens the registry
// at its --db value. The caller closes the store.
func openSubcommand(ctx context.Context, fs *flag.FlagSet, args []string, db *string) (registryStore, *party.Service, error) {
	if err := parseSub(fs, args); err != nil {
		return nil, nil, err
	}
	return openRegistry(ctx, *db)
}

// listPageSize is how many records a list subcommand reads per store
// call.
const listPageSize = 500

// eachPage calls fn on every record that fetch returns, page after page
// of listPageSize records, where each page starts after the key of the
// last record of the page before. A shorter page is the last.
func eachPage[T any](fetch func(after string) ([]T, error), key func(T) string, fn func(T)) error {
	after := ""
	for {
		page, err := fetch(after)
		if err != nil {
			return err
		}
		for _, v := range page {
			fn(v)
		}
		if len(page) < listPageSize {
			return nil
		}
		after = key(page[len(page)-1])
	}
}

// listFlag collects a repeatable flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ";") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

// partyFlags declares the fields of a party as flags.
type partyFlags struct {
	id, kind, nameZH, nameEN, uscc, gln, region, department, jurisdiction string
	companyPrefixes, codePrefixes, categories                             string
	licences, contacts                                                    listFlag
}

func (f *partyFlags) declare(fs *flag.FlagSet) {
	fs.StringVar(&f.id, "id", "", "主体 ID（留空自动生成） / party ID (generated when empty)")
	fs.StringVar(&f.kind, "kind", "enterprise", "类型 / kind: enterprise, regulator or operator")
	fs.StringVar(&f.nameZH, "name-zh", "", "中文名称 / Chinese name")
	fs.StringVar(&f.nameEN, "name-en", "", "英文名称 / English name")
	fs.StringVar(&f.uscc, "uscc", "", "统一社会信用代码（18 位） / unified social credit code (18 characters)")
	fs.StringVar(&f.gln, "gln", "", "主体 GLN（13 位或 PGLN URN） / party GLN (13 digits or a PGLN URN)")
	fs.StringVar(&f.region, "region", "", "行政区划代码（GB/T 2260，6 位） / division code (GB/T 2260, 6 digits)")
	fs.StringVar(&f.department, "department", "", "监管部门名称 / regulator's department")
	fs.StringVar(&f.jurisdiction, "jurisdiction", "", "辖区代码前缀，如 44 或 4401 / jurisdiction as a division code prefix such as 44 or 4401")
	fs.StringVar(&f.companyPrefixes, "company-prefixes", "", "GS1 厂商识别代码，逗号分隔 / GS1 company prefixes, comma-separated")
	fs.StringVar(&f.codePrefixes, "code-prefixes", "", "中国编码前缀，逗号分隔，如 nmpa:drug:8100001 / Chinese code prefixes, comma-separated")
	fs.StringVar(&f.categories, "categories", "", "监管的产品类别，逗号分隔 / product categories a regulator supervises, comma-separated")
	fs.Var(&f.licences, "licence", "许可证 kind|number|categories|validFrom|validUntil（可重复） / a licence (repeatable)")
	fs.Var(&f.contacts, "contact", "联系人 name|role|phone|email（可重复） / a contact (repeatable)")
}

// apply sets the fields of p whose flags were given.
func (f *partyFlags) apply(fs *flag.FlagSet, p *store.Party) error {
	fs.Visit(func(fl *flag.Flag) {
		switch fl.Name {
		case "id":
			p.ID = f.id
		case "kind":
			p.Kind = store.PartyKind(f.kind)
		case "name-zh":
			p.NameZH = f.nameZH
		case "name-en":
			p.NameEN = f.nameEN
		case "uscc":
			p.USCC = f.uscc
		case "gln":
			p.GLN = f.gln
		case "region":
			p.Region = f.region
		case "department":
			p.Department = f.department
		case "jurisdiction":
			p.Jurisdiction = f.jurisdiction
		case "company-prefixes":
			p.CompanyPrefixes = splitComma(f.companyPrefixes)
		case "code-prefixes":
			p.CodePrefixes = splitComma(f.codePrefixes)
		case "categories":
			p.Categories = splitComma(f.categories)
		}
	})
	if len(f.licences) > 0 {
		p.Licences = nil
		for _, l := range f.licences {
			lic, lerr := party.ParseLicence(l)
			if lerr != nil {
				return lerr
			}
			p.Licences = append(p.Licences, lic)
		}
	}
	if len(f.contacts) > 0 {
		p.Contacts = nil
		for _, c := range f.contacts {
			contact, cerr := party.ParseContact(c)
			if cerr != nil {
				return cerr
			}
			p.Contacts = append(p.Contacts, contact)
		}
	}
	if p.Kind == "" {
		p.Kind = store.PartyEnterprise
	}
	return nil
}

func splitComma(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

func printJSON(env *Env, v any) error {
	enc := json.NewEncoder(env.Stdout)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// explain turns a registration error into a message with its Chinese
// part first.
func explain(err error) error {
	var fe *party.FieldError
	if errors.As(err, &fe) && fe.MessageZH != "" {
		return fmt.Errorf("%s: %s / %w", fe.Field, fe.MessageZH, err)
	}
	return err
}

func runParty(ctx context.Context, env *Env, db, sub string, args []string) error {
	fs, dbp := subFlags(env, "party "+sub, db)
	var pf partyFlags
	switch sub {
	case "add", "update":
		pf.declare(fs)
	}
	st, svc, err := openSubcommand(ctx, fs, args, dbp)
	if err != nil {
		return err
	}
	defer st.Close()
	rest := fs.Args()
	switch sub {
	case "add":
		var p store.Party
		if err := pf.apply(fs, &p); err != nil {
			return explain(err)
		}
		p, err := svc.CreateParty(ctx, p)
		if err != nil {
			return explain(err)
		}
		fmt.Fprintf(env.Stderr, "已登记 / registered %s %s\n", p.ID, p.NameZH)
		return printJSON(env, p)
	case "update":
		if len(rest) != 1 {
			return usageErrorf("party update takes the party ID after the flags")
		}
		p, err := st.Party(ctx, rest[0])
		if err != nil {
			return err
		}
		if err := pf.apply(fs, &p); err != nil {
			return explain(err)
		}
		p.ID = rest[0]
		if p, err = svc.UpdateParty(ctx, p); err != nil {
			return explain(err)
		}
		return printJSON(env, p)
	case "show":
		if len(rest) != 1 {
			return usageErrorf("party show takes one party ID")
		}
		p, err := st.Party(ctx, rest[0])
		if err != nil {
			return err
		}
		return printJSON(env, p)
	case "list":
		tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\t类型 KIND\t名称 NAME\t统一社会信用代码 USCC\t区划 REGION\t前缀 PREFIXES")
		fetch := func(after string) ([]store.Party, error) { return st.Parties(ctx, after, listPageSize) }
		printRow := func(p store.Party) {
			region := p.Region
			if p.Kind == store.PartyRegulator {
				region = p.Jurisdiction + "*"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", p.ID, p.Kind, p.NameZH, p.USCC, region,
				strings.Join(append(append([]string{}, p.CompanyPrefixes...), p.CodePrefixes...), " "))
		}
		err := eachPage(fetch, func(p store.Party) string { return p.ID }, printRow)
		if err != nil {
			return err
		}
		return tw.Flush()
	case "import":
		if len(rest) != 1 {
			return usageErrorf("party import takes one CSV file")
		}
		f, err := os.Open(rest[0])
		if err != nil {
			return err
		}
		defer f.Close()
		exists := func(id string) (bool, error) {
			_, err := st.Party(ctx, id)
			if errors.Is(err, store.ErrNotFound) {
				return false, nil
			}
			return err == nil, err
		}
		parties, locations, err := party.ParseCSV(f, time.Now(), exists)
		if err != nil {
			return fmt.Errorf("%s: 未导入任何记录 / nothing imported: %w", rest[0], err)
		}
		if err := svc.Import(ctx, parties, locations); err != nil {
			return fmt.Errorf("%s: 未导入任何记录 / nothing imported: %w", rest[0], err)
		}
		fmt.Fprintf(env.Stdout, "已导入 / imported %d parties, %d locations\n", len(parties), len(locations))
		return nil
	}
	return usageErrorf("unknown subcommand %q: use add, update, list, show or import", sub)
}

func runLocation(ctx context.Context, env *Env, db, sub string, args []string) error {
	fs, dbp := subFlags(env, "location "+sub, db)
	var l store.Location
	partyFilter := ""
	switch sub {
	case "add":
		fs.StringVar(&l.Original, "id", "", "位置标识：SGLN URN、数字链接或其他 URI / location identifier: SGLN URN, Digital Link or another URI")
		fs.StringVar(&l.PartyID, "party", "", "所属主体 ID / owning party ID")
		fs.StringVar(&l.Name, "name", "", "位置名称 / location name")
		fs.StringVar(&l.Address, "address", "", "地址 / address")
		fs.StringVar(&l.Division, "division", "", "行政区划代码（6 位） / division code (6 digits)")
	case "list":
		fs.StringVar(&partyFilter, "party", "", "只列出该主体的地点 / list only this party's locations")
	}
	st, svc, err := openSubcommand(ctx, fs, args, dbp)
	if err != nil {
		return err
	}
	defer st.Close()
	switch sub {
	case "add":
		l, err := svc.PutLocation(ctx, l)
		if err != nil {
			return explain(err)
		}
		return printJSON(env, l)
	case "list":
		tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\t主体 PARTY\t名称 NAME\t区划 DIVISION")
		fetch := func(after string) ([]store.Location, error) {
			return st.Locations(ctx, partyFilter, after, listPageSize)
		}
		printRow := func(l store.Location) { fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", l.ID, l.PartyID, l.Name, l.Division) }
		err := eachPage(fetch, func(l store.Location) string { return l.ID }, printRow)
		if err != nil {
			return err
		}
		return tw.Flush()
	}
	return usageErrorf("unknown subcommand %q: use add or list", sub)
}

func runToken(ctx context.Context, env *Env, db, sub string, args []string) error {
	fs, dbp := subFlags(env, "token "+sub, db)
	var (
		partyID, name, scopes string
		ttl                   time.Duration
	)
	switch sub {
	case "create":
		fs.StringVar(&partyID, "party", "", "令牌所属主体 ID / party the token acts for")
		fs.StringVar(&name, "name", "", "令牌名称 / label of the token")
		fs.StringVar(&scopes, "scopes", "capture,query", "权限：capture、query、admin（逗号分隔） / scopes, comma-separated")
		fs.DurationVar(&ttl, "expires", 90*24*time.Hour, "有效期，0 表示永久 / lifetime, 0 for no expiry")
	case "list":
		fs.StringVar(&partyID, "party", "", "主体 ID / party ID")
	}
	st, svc, err := openSubcommand(ctx, fs, args, dbp)
	if err != nil {
		return err
	}
	defer st.Close()
	switch sub {
	case "create":
		sc, err := party.ParseScopes(scopes)
		if err != nil {
			return usageErrorf("--scopes %q: %v", scopes, err)
		}
		t, err := svc.IssueToken(ctx, partyID, name, sc, ttl)
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Stderr, "令牌只显示这一次，请妥善保存 / the token is shown this once; store it safely (ID %s)\n", t.ID)
		fmt.Fprintln(env.Stdout, t.Secret)
		return nil
	case "list":
		if partyID == "" {
			return usageErrorf("give --party")
		}
		ts, err := st.Tokens(ctx, partyID)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\t名称 NAME\t权限 SCOPES\t创建 CREATED\t到期 EXPIRES\t状态 STATE")
		now := time.Now()
		for _, t := range ts {
			state := "valid"
			switch {
			case !t.RevokedAt.IsZero():
				state = "revoked " + t.RevokedAt.Format(time.DateTime)
			case !t.ExpiresAt.IsZero() && !now.Before(t.ExpiresAt):
				state = "expired"
			}
			expires := "-"
			if !t.ExpiresAt.IsZero() {
				expires = t.ExpiresAt.Format(time.DateTime)
			}
			var names []string
			for _, s := range t.Scopes {
				names = append(names, string(s))
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", t.ID, t.Name, strings.Join(names, ","), t.CreatedAt.Format(time.DateTime), expires, state)
		}
		return tw.Flush()
	case "revoke":
		if fs.NArg() != 1 {
			return usageErrorf("token revoke takes one token ID")
		}
		if err := svc.RevokeToken(ctx, "", fs.Arg(0)); err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "已吊销 / revoked %s\n", fs.Arg(0))
		return nil
	}
	return usageErrorf("unknown subcommand %q: use create, list or revoke", sub)
}

func runAdmin(ctx context.Context, env *Env, db, sub string, args []string) error {
	fs, dbp := subFlags(env, "admin "+sub, db)
	var operator, username, partyID, scopes string
	switch sub {
	case "bootstrap":
		fs.StringVar(&operator, "operator", "溯源平台运营方", "平台运营方名称 / name of the platform operator")
		fs.StringVar(&username, "username", "admin", "管理员用户名 / administrator user name")
	case "user-add":
		fs.StringVar(&username, "username", "", "用户名 / user name")
		fs.StringVar(&partyID, "party", "", "用户所属主体 ID / party of the user")
		fs.StringVar(&scopes, "scopes", "query", "权限 / scopes: capture, query, admin")
	}
	st, svc, err := openSubcommand(ctx, fs, args, dbp)
	if err != nil {
		return err
	}
	defer st.Close()
	switch sub {
	case "bootstrap":
		b, err := svc.Bootstrap(ctx, operator, username)
		if errors.Is(err, party.ErrBootstrapped) {
			return fmt.Errorf("平台已有用户，不能再次初始化 / %w; create more users with \"suyuan admin user-add\"", err)
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "首个管理员已创建；以下凭据只显示这一次 / first administrator created; these credentials are shown this once:\n")
		fmt.Fprintf(env.Stdout, "  用户名 username: %s\n  密码 password:   %s\n  API 令牌 token:  %s\n", b.Username, b.Password, b.Token.Secret)
		return nil
	case "user-add":
		sc, err := party.ParseScopes(scopes)
		if err != nil {
			return usageErrorf("--scopes %q: %v", scopes, err)
		}
		password := party.NewSecret("")[:24]
		if err := svc.CreateUser(ctx, username, partyID, password, sc); err != nil {
			return explain(err)
		}
		fmt.Fprintf(env.Stdout, "用户 %s 已创建；初始密码只显示这一次 / user created; the initial password is shown this once:\n  %s\n", username, password)
		return nil
	case "user-disable", "user-enable":
		if fs.NArg() != 1 {
			return usageErrorf("admin %s 需要一个用户名 / admin %s takes one user name", sub, sub)
		}
		disable := sub == "user-disable"
		if err := svc.SetUserDisabled(ctx, fs.Arg(0), disable); err != nil {
			return fmt.Errorf("修改用户 %s 失败 / change user %s: %w", fs.Arg(0), fs.Arg(0), err)
		}
		if disable {
			fmt.Fprintf(env.Stdout, "用户 %s 已停用，不能再登录 / user %s disabled; it can no longer sign in\n", fs.Arg(0), fs.Arg(0))
		} else {
			fmt.Fprintf(env.Stdout, "用户 %s 已启用 / user %s enabled\n", fs.Arg(0), fs.Arg(0))
		}
		return nil
	}
	return usageErrorf("unknown subcommand %q: use bootstrap, user-add, user-disable or user-enable", sub)
}
