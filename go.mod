module github.com/suyuan-trace/suyuan

go 1.26.8
